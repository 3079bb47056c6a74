import { afterEach, describe, expect, it } from 'vitest';
import { call, log, openStream, publish, type Started, startGateway } from './helpers';

let g: Started;
afterEach(() => g.gateway.close());

const A = 'logs:svc:ws:a';
const B = 'logs:svc:ws:b';

describe('GET /api/logs/stream', () => {
  it('opens with SSE headers, retry and hello, then carries live entries of many channels', async () => {
    g = await startGateway();
    const stream = await openStream(g.url, `channels=${A},${B}`);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toBe('no-cache, no-transform');
    expect(stream.headers['x-accel-buffering']).toBe('no');
    expect(stream.headers['content-encoding']).toBeUndefined();
    expect(stream.body.startsWith('retry: 2000\n\n')).toBe(true);
    const [hello] = stream.data('hello');
    expect(hello).toEqual({
      connectionId: expect.any(String),
      heartbeatSeconds: 15,
      channels: [A, B],
      cursor: null,
      epoch: expect.stringMatching(/^\d+-0$/),
    });
    // An empty gateway's hello still carries where the stream starts: its epoch, "from the start".
    expect(stream.events[0]!.id).toBe(hello.epoch);

    await publish(g.url, { logs: [log('a', 'one'), log('c', 'elsewhere'), log('b', 'two')] });
    await stream.untilEvents('log', 2);
    const logs = stream.events.filter((e) => e.event === 'log');
    expect(logs.map((e) => JSON.parse(e.data).message)).toEqual(['one', 'two']);
    for (const e of logs) expect(e.id).toBe(JSON.parse(e.data).id);
    stream.close();
  });

  it('names in hello the newest cursor, from which a client that received nothing can resume', async () => {
    g = await startGateway();
    const before = await publish(g.url, log('zzz', 'elsewhere, before the stream'));
    expect(before.status).toBe(202);
    const first = await openStream(g.url, `channels=${A}`);
    const { cursor } = first.data('hello')[0] as { cursor: string };
    const [stored] = (await call(`${g.url}/api/logs/history?channel=logs:svc:ws:zzz`)).json.logs;
    expect(cursor).toBe(stored.id);
    first.close();

    // Published while the client was away: a resume from the hello cursor brings it, and nothing older.
    await publish(g.url, log('a', 'during the outage'));
    const resumed = await openStream(g.url, `channels=${A}`, { 'last-event-id': cursor });
    await resumed.untilEvents('log', 1);
    expect(resumed.data('log').map((e) => e.message)).toEqual(['during the outage']);
    resumed.close();
  });

  it('matches * patterns and sends an entry matched by two patterns once', async () => {
    g = await startGateway();
    const stream = await openStream(g.url, 'channels=logs:*:*:a,logs:svc:ws:*');
    await publish(g.url, { logs: [log('a', 'both'), { channel: 'logs:other:x:a', message: 'first only' }] });
    await stream.untilEvents('log', 2);
    await publish(g.url, log('zzz', 'marker'));
    await stream.untilEvents('log', 3);
    expect(stream.data('log').map((e) => e.message)).toEqual(['both', 'first only', 'marker']);
    stream.close();
  });

  it('gives each stream exactly its own entries when one flush carries many, shared or filtered', async () => {
    g = await startGateway();
    // Streams with the same queue share one joined write; the filtered and the other-channel ones must not.
    const same = await Promise.all([1, 2, 3].map(() => openStream(g.url, `channels=${A}`)));
    const warnOnly = await openStream(g.url, `channels=${A}&level=warn`);
    const both = await openStream(g.url, `channels=${A},${B}`);
    const batch = [
      log('a', 'a1'),
      log('a', 'a2', { level: 'warn' }),
      log('b', 'b1'),
      log('a', 'a3'),
      log('a', 'a4', { level: 'error' }),
    ];
    expect((await publish(g.url, { logs: batch })).status).toBe(202);
    for (const stream of same) await stream.untilEvents('log', 4);
    await warnOnly.untilEvents('log', 2);
    await both.untilEvents('log', 5);
    for (const stream of same)
      expect(stream.data('log').map((e) => e.message)).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(warnOnly.data('log').map((e) => e.message)).toEqual(['a2', 'a4']);
    expect(both.data('log').map((e) => e.message)).toEqual(['a1', 'a2', 'b1', 'a3', 'a4']);
    for (const stream of [...same, warnOnly, both]) stream.close();
  });

  it('sends status and done events with ids', async () => {
    g = await startGateway();
    const stream = await openStream(g.url, `channels=${A}`);
    await publish(g.url, {
      logs: [
        { type: 'status', channel: A, phase: 'active', progress: 100, message: 'up' },
        { type: 'done', channel: A },
      ],
    });
    await stream.untilEvents('done', 1);
    expect(stream.data('status')).toEqual([
      expect.objectContaining({ phase: 'active', progress: 100, type: 'status' }),
    ]);
    expect(stream.events.filter((e) => e.event !== 'hello').every((e) => e.id !== undefined)).toBe(true);
    stream.close();
  });

  it('filters log events by level and q, and lets status through', async () => {
    g = await startGateway();
    const stream = await openStream(g.url, `channels=${A}&level=warn&q=DISK`);
    await publish(g.url, {
      logs: [
        log('a', 'disk almost full', { level: 'info' }),
        log('a', 'Disk full', { level: 'error' }),
        log('a', 'cpu hot', { level: 'error' }),
        { type: 'status', channel: A, phase: 'degraded' },
        log('a', 'disk gone', { level: 'fatal' }),
      ],
    });
    await stream.untilEvents('log', 2);
    await stream.untilEvents('status', 1);
    expect(stream.data('log').map((e) => e.message)).toEqual(['Disk full', 'disk gone']);
    stream.close();
  });

  it('replays the last N per channel with tail, merged in cursor order', async () => {
    g = await startGateway();
    await publish(g.url, {
      logs: [log('a', 'a1'), log('b', 'b1'), log('a', 'a2'), log('b', 'b2'), log('a', 'a3')],
    });
    const stream = await openStream(g.url, `channels=${A},${B}&tail=2`);
    await stream.untilEvents('log', 4);
    expect(stream.data('log').map((e) => e.message)).toEqual(['b1', 'a2', 'b2', 'a3']);
    stream.close();
  });

  it('replays from since (a cursor or a time)', async () => {
    g = await startGateway();
    const first = await publish(g.url, log('a', 'old'));
    expect(first.status).toBe(202);
    const stream0 = await openStream(g.url, `channels=${A}&tail=1`);
    await stream0.untilEvents('log', 1);
    const cursor = stream0.events.at(-1)!.id!;
    stream0.close();
    await publish(g.url, log('a', 'new'));

    const byCursor = await openStream(g.url, `channels=${A}&since=${cursor}`);
    await byCursor.untilEvents('log', 1);
    expect(byCursor.data('log').map((e) => e.message)).toEqual(['new']);
    byCursor.close();

    const byTime = await openStream(
      g.url,
      `channels=${A}&since=${encodeURIComponent('2000-01-01T00:00:00Z')}`,
    );
    await byTime.untilEvents('log', 2);
    expect(byTime.data('log').map((e) => e.message)).toEqual(['old', 'new']);
    byTime.close();

    const future = await openStream(g.url, `channels=${A}&since=${Date.now() + 3_600_000}&follow=false`);
    await future.untilEnd();
    expect(future.data('log')).toEqual([]);
  });

  it('with follow=false sends the history, a final done event without id, and ends', async () => {
    g = await startGateway();
    await publish(g.url, { logs: [log('a', '1'), log('b', '2')] });
    const stream = await openStream(g.url, `channels=${A},${B}&follow=false`);
    await stream.untilEnd();
    expect(stream.data('log').map((e) => e.message)).toEqual(['1', '2']);
    const last = stream.events.at(-1)!;
    expect(last.event).toBe('done');
    expect(last.id).toBeUndefined();
    expect(JSON.parse(last.data)).toEqual({
      type: 'done',
      reason: 'end_of_history',
      channels: [A, B],
      count: 2,
    });
    expect(g.gateway.stats().connections).toBe(0);
  });

  it('sends heartbeat comments every heartbeatSeconds from one gateway-wide timer', async () => {
    g = await startGateway({ heartbeatSeconds: 0.05 });
    const one = await openStream(g.url, `channels=${A}`);
    const two = await openStream(g.url, `channels=${B}`);
    await one.until((r) => r.comments.length >= 2, 'two heartbeats');
    await two.until((r) => r.comments.length >= 2, 'two heartbeats');
    expect(one.comments[0]).toBe('heartbeat');
    expect(one.body).toContain('\n: heartbeat\n\n');
    one.close();
    two.close();
  });

  it('counts connections and subscriptions per channel, and forgets closed streams', async () => {
    g = await startGateway();
    const one = await openStream(g.url, `channels=${A},logs:svc:*:*`);
    const two = await openStream(g.url, `channels=${A}`);
    expect(g.gateway.stats()).toMatchObject({ connections: 2, subscriptions: { [A]: 2, 'logs:svc:*:*': 1 } });
    one.close();
    two.close();
    await one.untilEnd();
    await two.untilEnd();
    while (g.gateway.stats().connections > 0) await new Promise((r) => setImmediate(r));
    expect(g.gateway.stats().subscriptions).toEqual({});
  });
});
