import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { log, openStream, publish, type Started, startGateway } from './helpers';
import { redisDeployments, startNode } from './redisNodes';

const A = 'logs:svc:ws:a';
const started: Started[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.gateway.close()));
});

async function gateway(options: Parameters<typeof startGateway>[0] = {}): Promise<Started> {
  const g = await startGateway(options);
  started.push(g);
  return g;
}

/** Reads everything a stream that does not follow holds, up to its end. */
async function replay(url: string, query: string, cursor: string) {
  const stream = await openStream(url, `${query}&follow=false`, { 'last-event-id': cursor });
  await stream.untilEnd();
  return stream;
}

const names = (stream: Awaited<ReturnType<typeof openStream>>) => stream.events.map((e) => e.event);

describe('an in-memory gateway that restarted while a reader was away', () => {
  it('sends a reset gap before any entry of the new history', async () => {
    let now = 1_800_000_000_000;
    const first = await gateway({ now: () => now });
    await publish(first.url, log('a', 'before'));
    const seen = await openStream(first.url, `channels=${A}&tail=1`);
    await seen.untilEvents('log', 1);
    const cursor = seen.events.find((e) => e.event === 'log')!.id!;
    seen.close();
    await first.gateway.close();

    now += 5000;
    const second = await gateway({ now: () => now });
    await publish(second.url, log('a', 'after restart'));
    const resumed = await replay(second.url, `channels=${A},logs:svc:*:b`, cursor);
    expect(names(resumed)).toEqual(['hello', 'gap', 'gap', 'log', 'done']);
    expect(resumed.data('hello')[0].epoch).toBe(`${now - 5000 + 4999}-0`);
    expect(resumed.data('gap')).toEqual([
      { channel: A, missed: 0, from: cursor, reason: 'reset' },
      { channel: 'logs:svc:*:b', missed: 0, from: cursor, reason: 'reset' },
    ]);
    expect(resumed.data('log').map((e) => e.message)).toEqual(['after restart']);
    // A channel joining with a history item gets the new history and no reset after it: a client
    // would otherwise drop what it has just been sent.
    const joined = await replay(second.url, `channels=${A},logs:svc:ws:b&history=logs:svc:ws:b~10`, cursor);
    expect(joined.events.map((e) => [e.event, JSON.parse(e.data).channel])).toEqual([
      ['hello', undefined],
      ['history', 'logs:svc:ws:b'],
      ['gap', A],
      ['log', A],
      ['done', undefined],
    ]);
    // Its hello id is the new epoch: resuming from it reports the reset no more.
    const again = await replay(second.url, `channels=${A}`, resumed.events[0]!.id!);
    expect(names(again)).toEqual(['hello', 'log', 'done']);
  });
});

describe('a channel whose whole history was dropped while a reader was away', () => {
  it('reports a gap after its entries aged out (historyTtlSeconds)', async () => {
    let now = 1_800_000_000_000;
    const g = await gateway({ now: () => now, historyTtlSeconds: 60 });
    await publish(g.url, log('a', 'seen'));
    const cursor = (await replay(g.url, `channels=${A}`, '0-0')).data('log')[0].id;
    await publish(g.url, { logs: [log('a', 'missed 1'), log('a', 'missed 2')] });
    now += 61_000;
    const resumed = await replay(g.url, `channels=${A}`, cursor);
    expect(names(resumed)).toEqual(['hello', 'gap', 'done']);
    expect(resumed.data('gap')[0]).toMatchObject({ channel: A, from: cursor, reason: 'dropped' });
    expect(resumed.data('gap')[0].missed).toBeGreaterThanOrEqual(1);
    // Through a pattern too, and counted exactly from before the channel's first entry.
    const fromStart = await replay(g.url, 'channels=logs:svc:ws:*', `${1_800_000_000_000 - 1}-5`);
    expect(fromStart.data('gap')).toEqual([
      { channel: A, missed: 3, from: `${1_800_000_000_000 - 1}-5`, reason: 'dropped' },
    ]);
  });

  it('reports a gap after the memory cap evicted it for another channel', async () => {
    const g = await gateway({ maxHistoryBytes: 64 * 1024 });
    await publish(g.url, log('a', 'seen'));
    const cursor = (await replay(g.url, `channels=${A}`, '0-0')).data('log')[0].id;
    await publish(g.url, log('a', 'missed'));
    const filler = Array.from({ length: 100 }, (_, i) => log('b', `${'x'.repeat(1000)} ${i}`));
    await publish(g.url, { logs: filler });
    expect((await replay(g.url, `channels=${A}`, '0-0')).data('log')).toEqual([]);
    const resumed = await replay(g.url, `channels=${A}`, cursor);
    expect(resumed.data('gap')).toEqual([{ channel: A, missed: 1, from: cursor, reason: 'dropped' }]);
    // The channel starts over: a reader from before still learns what it missed, one who saw it all nothing.
    await publish(g.url, log('a', 'new'));
    const later = await replay(g.url, `channels=${A}`, cursor);
    expect(names(later)).toEqual(['hello', 'gap', 'log', 'done']);
  });
});

describe('the latest state of a channel, sent to every new stream', () => {
  it('sends the newest status and done, without id, before live entries and without a tail', async () => {
    const g = await gateway();
    await publish(g.url, {
      logs: [
        { type: 'status', channel: A, phase: 'extract', progress: 10 },
        log('a', 'working'),
        { type: 'status', channel: A, phase: 'load', progress: 60 },
        { type: 'status', channel: 'logs:svc:ws:b', phase: 'queued' },
      ],
    });
    const stream = await openStream(g.url, `channels=${A}`);
    await stream.untilEvents('status', 1);
    await publish(g.url, log('a', 'live'));
    await stream.untilEvents('log', 1);
    expect(names(stream)).toEqual(['hello', 'status', 'log']);
    expect(stream.events[1]!.id).toBeUndefined();
    expect(stream.data('status')[0]).toMatchObject({ phase: 'load', progress: 60 });
    stream.close();

    // A done after it, and a pattern: each channel's newest of each, in cursor order.
    await publish(g.url, { type: 'done', channel: A, message: 'finished' });
    const all = await openStream(g.url, 'channels=logs:svc:ws:*');
    await all.untilEvents('done', 1);
    expect(all.events.slice(1).map((e) => [e.event, JSON.parse(e.data).channel, e.id])).toEqual([
      ['status', A, undefined],
      ['status', 'logs:svc:ws:b', undefined],
      ['done', A, undefined],
    ]);
    all.close();
  });

  it('forgets the state with the history of its channel', async () => {
    let now = 1_800_000_000_000;
    const g = await gateway({ now: () => now, historyTtlSeconds: 60 });
    await publish(g.url, { type: 'status', channel: A, phase: 'load' });
    now += 61_000;
    const stream = await openStream(g.url, `channels=${A}&follow=false`);
    await stream.untilEnd();
    expect(names(stream)).toEqual(['hello', 'done']);
  });
});

describe('on Redis', () => {
  const deployments = redisDeployments('loss');

  it('reports a gap after a channel stream expired, and a reset after the history was flushed', async () => {
    const [a, b] = await deployments.deploy(2);
    const redis = new Redis(deployments.url);
    try {
      await publish(a!.url, log('a', 'seen'));
      const cursor = (await replay(b!.url, `channels=${A}`, '0-0')).data('log')[0].id;
      await publish(a!.url, { logs: [log('a', 'missed 1'), log('a', 'missed 2')] });
      // What EXPIRE does after historyTtlSeconds, now.
      const prefix = (a!.store as unknown as { keys: { channelPrefix: string } }).keys.channelPrefix;
      await redis.pexpire(`${prefix}${A}`, 1);
      while ((await redis.exists(`${prefix}${A}`)) === 1)
        await new Promise((resolve) => setImmediate(resolve));
      for (const query of [`channels=${A}`, 'channels=logs:svc:*:*']) {
        const resumed = await replay(b!.url, query, cursor);
        expect(names(resumed)).toEqual(['hello', 'gap', 'done']);
        expect(resumed.data('gap')[0]).toMatchObject({ channel: A, from: cursor, reason: 'dropped' });
      }

      // A new epoch begins with the first write after a flush; both before and after it, the old cursor
      // gets a reset.
      const oldEpoch = (await openStream(a!.url, `channels=${A}`)).data('hello')[0].epoch;
      await redis.flushdb();
      const flushed = await replay(b!.url, `channels=${A}`, cursor);
      expect(flushed.data('gap')).toEqual([{ channel: A, missed: 0, from: cursor, reason: 'reset' }]);
      await publish(a!.url, log('a', 'new history'));
      const renewed = await replay(b!.url, `channels=${A}`, cursor);
      expect(names(renewed)).toEqual(['hello', 'gap', 'log', 'done']);
      expect(renewed.data('gap')[0]).toMatchObject({ reason: 'reset' });
      // A gateway learns the new epoch with its next read of Redis (here, the replay above).
      const newEpoch = (await replay(b!.url, `channels=${A}`, '0-0')).data('hello')[0].epoch;
      expect(newEpoch).not.toBe(oldEpoch);
      expect(renewed.data('log')[0].id > newEpoch).toBe(true);
    } finally {
      redis.disconnect();
    }
  });

  it('sends the latest state kept in Redis to a stream on a gateway that started after it was published', async () => {
    const [a] = await deployments.deploy(1);
    await publish(a!.url, {
      logs: [
        { type: 'status', channel: A, phase: 'extract' },
        log('a', 'x'),
        { type: 'status', channel: A, phase: 'load' },
      ],
    });
    // A gateway of the same deployment that started after the state was published.
    const b = await startNode(
      deployments.url,
      (a!.store as unknown as { options: { prefix: string } }).options.prefix,
    );
    deployments.track(b);
    const later = await openStream(b.url, `channels=${A}`);
    await later.untilEvents('status', 1);
    expect(later.data('status').map((s) => s.phase)).toEqual(['load']);
    later.close();
  });
});
