import { afterEach, describe, expect, it } from 'vitest';
import { log, publish, rawCall, type Started, startGateway } from './helpers';

let g: Started;
afterEach(() => g?.gateway.close());

describe('timestamps', () => {
  it('refuses an entry on a day that does not exist, instead of moving it to another day', async () => {
    g = await startGateway();
    const answer = await publish(g.url, log('r1', 'leap', { timestamp: '2026-02-29T12:00:00Z' }));
    expect(answer.status).toBe(400);
    expect(answer.json.error.rejected).toEqual([
      {
        index: 0,
        error: {
          code: 'invalid_entry',
          message:
            '"timestamp" must be a real date and time from 1970 to 9999, as ISO 8601 or milliseconds since the epoch',
        },
      },
    ]);
    const kept = await publish(g.url, log('r1', 'leap', { timestamp: '2028-02-29T12:00:00+01:00' }));
    expect(kept.status).toBe(202);
    const history = await rawCall(g.url, '/api/logs/history?channel=logs:svc:ws:r1');
    expect(history.json.logs.map((e: { timestamp: string }) => e.timestamp)).toEqual([
      '2028-02-29T11:00:00.000Z',
    ]);
  });

  it('refuses since= on a day that does not exist', async () => {
    g = await startGateway();
    const answer = await rawCall(
      g.url,
      '/api/logs/history?channel=logs:svc:ws:r1&since=2026-02-30T00:00:00Z',
    );
    expect([answer.status, answer.json.error.code]).toEqual([400, 'invalid_query']);
  });
});
