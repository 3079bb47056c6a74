import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, log, publish, type Started, startGateway } from './helpers';

let g: Started;
beforeEach(async () => {
  g = await startGateway({ maxBodyBytes: 64 * 1024 });
});
afterEach(() => g.gateway.close());

async function history(channel: string) {
  const answer = await call(`${g.url}/api/logs/history?channel=${channel}`);
  expect(answer.status).toBe(200);
  return answer.json.logs as Record<string, unknown>[];
}

describe('POST /api/logs/publish', () => {
  it('accepts one entry and answers 202 with the counts', async () => {
    const answer = await publish(g.url, log('a', 'hello', { level: 'WARNING', user: { id: 7 } }));
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ accepted: 1, rejected: [], rejectedCount: 0 });
    const [entry] = await history('logs:svc:ws:a');
    expect(entry).toMatchObject({
      type: 'log',
      channel: 'logs:svc:ws:a',
      level: 'warn',
      message: 'hello',
      user: { id: 7 },
    });
    expect(entry!.id).toMatch(/^\d+-\d+$/);
    expect(typeof entry!.timestamp).toBe('string');
  });

  it('accepts {logs: [...]}, a JSON array and NDJSON, keeping order', async () => {
    expect((await publish(g.url, { logs: [log('a', '1'), log('a', '2')] })).json.accepted).toBe(2);
    expect((await publish(g.url, [log('a', '3')])).json.accepted).toBe(1);
    const ndjson = `${JSON.stringify(log('a', '4'))}\n\n${JSON.stringify(log('a', '5'))}\n`;
    const answer = await publish(g.url, ndjson, { contentType: 'application/x-ndjson' });
    expect(answer.status).toBe(202);
    expect(answer.json.accepted).toBe(2);
    expect((await history('logs:svc:ws:a')).map((e) => e.message)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('forms the channel from service, workspace_id and resource_id', async () => {
    const answer = await publish(g.url, {
      service: 'etl',
      workspace_id: 'w1',
      resource_id: 'r9',
      message: 'x',
    });
    expect(answer.status).toBe(202);
    expect(await history('logs:etl:w1:r9')).toHaveLength(1);
  });

  it('accepts status and done entries', async () => {
    const answer = await publish(g.url, {
      logs: [
        { type: 'status', channel: 'logs:svc:ws:a', phase: 'provisioning', progress: 40 },
        { type: 'done', channel: 'logs:svc:ws:a' },
      ],
    });
    expect(answer.json.accepted).toBe(2);
    expect((await history('logs:svc:ws:a')).map((e) => e.type)).toEqual(['status', 'done']);
  });

  it('accepts gzip bodies', async () => {
    const answer = await publish(g.url, { logs: [log('a', 'zipped')] }, { gzip: true });
    expect(answer.status).toBe(202);
    expect((await history('logs:svc:ws:a'))[0]!.message).toBe('zipped');
  });

  it('accepts a batch in part and names each refused entry by index', async () => {
    const answer = await publish(g.url, {
      logs: [
        log('a', 'ok'),
        { channel: 'logs:svc:ws:a' },
        log('a', 'ok too'),
        { channel: 'nope', message: 'x' },
      ],
    });
    expect(answer.status).toBe(202);
    expect(answer.json.accepted).toBe(2);
    expect(
      answer.json.rejected.map((r: { index: number; error: { code: string } }) => [r.index, r.error.code]),
    ).toEqual([
      [1, 'invalid_entry'],
      [3, 'invalid_channel'],
    ]);
  });

  it('rejects bad NDJSON lines one by one', async () => {
    const body = `${JSON.stringify(log('a', 'good'))}\n{not json\n`;
    const answer = await publish(g.url, body, { contentType: 'application/x-ndjson' });
    expect(answer.status).toBe(202);
    expect(answer.json.rejected).toEqual([
      { index: 1, error: { code: 'invalid_json', message: expect.any(String) } },
    ]);
  });

  it('answers 400 when no entry is valid, listing why', async () => {
    const answer = await publish(g.url, { logs: [{ message: 'no channel' }] });
    expect(answer.status).toBe(400);
    expect(answer.json.error.code).toBe('invalid_channel');
    expect(answer.json.error.rejected).toEqual([
      { index: 0, error: { code: 'invalid_channel', message: expect.any(String) } },
    ]);
    const mixed = await publish(g.url, { logs: [{ message: 'no channel' }, { channel: 'logs:svc:ws:a' }] });
    expect(mixed.status).toBe(400);
    expect(mixed.json.error.code).toBe('invalid_entry');
    expect(mixed.json.error.rejected).toHaveLength(2);
  });

  it('answers 413 past maxBodyBytes, plain or gzip (a gzip bomb is not inflated past the limit)', async () => {
    const big = JSON.stringify(log('a', 'x'.repeat(70 * 1024)));
    expect((await publish(g.url, big)).status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const answer = await publish(g.url, bomb, { headers: { 'content-encoding': 'gzip' } });
    expect(answer.status).toBe(413);
    expect(answer.json.error.code).toBe('payload_too_large');
    expect((await publish(g.url, log('a', 'still fine'))).status).toBe(202);
  });

  it('answers 400 for a body that claims gzip but is not', async () => {
    const answer = await publish(g.url, 'plain', { headers: { 'content-encoding': 'gzip' } });
    expect(answer.status).toBe(400);
  });

  it('answers 415 for other content types and encodings', async () => {
    // Types a web page can POST without a preflight are refused earlier in open mode: see openMode.test.ts.
    expect((await publish(g.url, '<logs/>', { contentType: 'application/xml' })).status).toBe(415);
    expect((await publish(g.url, '{}', { headers: { 'content-encoding': 'br' } })).status).toBe(415);
  });

  it('counts publishers by X-Publisher-Id in the stats', async () => {
    await publish(
      g.url,
      { logs: [log('a', '1'), log('a', '2')] },
      { headers: { 'x-publisher-id': 'worker-1' } },
    );
    const stats = g.gateway.stats();
    expect(stats.logs.in).toBe(2);
    expect(stats.publishers).toEqual([
      expect.objectContaining({ publisherId: 'worker-1', service: 'svc', logsIn: 2, lastHeartbeat: null }),
    ]);
  });
});

describe('POST /api/logs/publishers/heartbeat', () => {
  it('answers 204 and shows the last heartbeat in the stats', async () => {
    const answer = await call(`${g.url}/api/logs/publishers/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ publisherId: 'worker-1', service: 'etl', stats: { queued: 3, dropped: 0 } }),
    });
    expect(answer.status).toBe(204);
    const [publisher] = g.gateway.stats().publishers;
    expect(publisher).toMatchObject({
      publisherId: 'worker-1',
      service: 'etl',
      lastHeartbeat: { at: expect.any(String), stats: { queued: 3, dropped: 0 } },
    });
  });

  it.each([
    ['not JSON', '{', 400],
    ['no publisherId', JSON.stringify({ stats: {} }), 400],
    ['stats not an object', JSON.stringify({ publisherId: 'p', stats: [1] }), 400],
    ['bad service', JSON.stringify({ publisherId: 'p', service: 'a b' }), 400],
    // Within the size limit, but too deep for the stats endpoint to serialise again.
    [
      'stats nested 5,000 levels deep',
      `{"publisherId":"deep","stats":{"x":${'['.repeat(5000)}${']'.repeat(5000)}}}`,
      400,
    ],
    ['a body over 16 kB', JSON.stringify({ publisherId: 'big', stats: { pad: 'x'.repeat(17_000) } }), 413],
  ])('refuses %s', async (_name, body, status) => {
    const answer = await call(`${g.url}/api/logs/publishers/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(answer.status).toBe(status);
    expect(answer.json.error.code).toMatch(/invalid_|payload_too_large/);
    expect((await call(`${g.url}/admin/logs/stats`)).status).toBe(200);
  });
});
