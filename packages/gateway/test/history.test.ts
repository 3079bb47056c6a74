import { afterEach, describe, expect, it } from 'vitest';
import { call, log, publish, type Started, startGateway } from './helpers';

let g: Started;
afterEach(() => g.gateway.close());

const messages = (answer: { json: { logs: { message?: string }[] } }) =>
  answer.json.logs.map((e) => e.message);

describe('GET /api/logs/history', () => {
  it('returns kept entries oldest first, with tail, since, level and q', async () => {
    g = await startGateway();
    await publish(g.url, {
      logs: [
        log('a', 'boot', { level: 'debug' }),
        log('a', 'Request failed', { level: 'error' }),
        log('b', 'other channel'),
        log('a', 'request ok', { level: 'info' }),
      ],
    });
    const all = await call(`${g.url}/api/logs/history?channel=logs:svc:ws:a`);
    expect(all.status).toBe(200);
    expect(all.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(messages(all)).toEqual(['boot', 'Request failed', 'request ok']);
    expect(messages(await call(`${g.url}/api/logs/history?channel=logs:svc:ws:a&tail=2`))).toEqual([
      'Request failed',
      'request ok',
    ]);
    expect(
      messages(await call(`${g.url}/api/logs/history?channel=logs:svc:ws:a&level=info&q=request`)),
    ).toEqual(['Request failed', 'request ok']);
    const sinceId = all.json.logs[1].id;
    expect(messages(await call(`${g.url}/api/logs/history?channel=logs:svc:ws:a&since=${sinceId}`))).toEqual([
      'request ok',
    ]);
    expect(messages(await call(`${g.url}/api/logs/history?channel=logs:svc:ws:*`))).toEqual([
      'boot',
      'Request failed',
      'other channel',
      'request ok',
    ]);
  });

  it('keeps historyPerChannel entries per channel', async () => {
    g = await startGateway({ historyPerChannel: 2 });
    await publish(g.url, { logs: ['1', '2', '3'].map((m) => log('a', m)) });
    expect(messages(await call(`${g.url}/api/logs/history?channel=logs:svc:ws:a`))).toEqual(['2', '3']);
    expect(g.gateway.stats().dropped.evictedEntries).toBe(1);
  });

  it('answers an empty list for an unknown channel and 400 for a bad one', async () => {
    g = await startGateway();
    expect((await call(`${g.url}/api/logs/history?channel=logs:x:y:z`)).json).toEqual({ logs: [] });
    const bad = await call(`${g.url}/api/logs/history?channel=nope`);
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_channel');
    expect((await call(`${g.url}/api/logs/history`)).status).toBe(400);
  });
});
