import { compareCursors } from '@logs-sse/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { call, log, openStream, publish, type SseReader } from './helpers';
import { redisDeployments, startNode, strictlyIncreasing } from './redisNodes';

let readers: SseReader[] = [];
const redis = redisDeployments('deploy');
const deploy = (count: number) => redis.deploy(count);

afterEach(() => {
  for (const reader of readers) reader.close();
  readers = [];
});

async function stream(url: string, query: string, headers: Record<string, string> = {}) {
  const reader = await openStream(url, query, headers);
  readers.push(reader);
  return reader;
}

const logs = (reader: SseReader) => reader.events.filter((e) => e.event === 'log');

describe('several gateways on one Redis', () => {
  it('delivers an entry published on any gateway to subscribers of every gateway, once each, in order', async () => {
    const [a, b, c] = await deploy(3);
    const onB = await stream(b!.url, 'channels=logs:svc:ws:one,logs:svc:ws:two');
    const onC = await stream(c!.url, 'channels=logs:svc:ws:*');
    const onA = await stream(a!.url, 'channels=logs:svc:ws:two');

    const sent: string[] = [];
    for (let i = 0; i < 30; i++) {
      const via = [a, b, c][i % 3]!;
      const batch = [log('one', `one-${i}`), log('two', `two-${i}`)];
      const answer = await publish(via.url, { logs: batch });
      expect(answer.status).toBe(202);
      sent.push(`one-${i}`, `two-${i}`);
    }
    // A last entry after everything else: once it is in, any duplicate would have arrived before it.
    expect((await publish(a!.url, log('one', 'end'))).status).toBe(202);

    await onB.until((r) => logs(r).some((e) => e.data.includes('"end"')), 'the end entry on B');
    await onC.until((r) => logs(r).some((e) => e.data.includes('"end"')), 'the end entry on C');
    await onA.untilEvents('log', 30);

    for (const reader of [onB, onC]) {
      const messages = logs(reader).map((e) => JSON.parse(e.data).message);
      expect(messages).toEqual([...sent, 'end']);
      expect(
        strictlyIncreasing(
          logs(reader).map((e) => e.id),
          compareCursors,
        ),
      ).toBe(true);
    }
    expect(logs(onA).map((e) => JSON.parse(e.data).message)).toEqual(sent.filter((m) => m.startsWith('two')));
    // The same entry carries the same cursor on every gateway.
    expect(logs(onB).map((e) => e.id)).toEqual(logs(onC).map((e) => e.id));
  });

  it('resumes on another gateway with a cursor from the first: exactly what was missed', async () => {
    const [a, b, c] = await deploy(3);
    const first = await stream(a!.url, 'channels=logs:svc:ws:r1,logs:svc:ws:r2');
    for (let i = 0; i < 4; i++)
      await publish(b!.url, { logs: [log('r1', `before-${i}`), log('r2', `x-${i}`)] });
    await first.untilEvents('log', 8);
    const cursor = logs(first).at(-1)!.id!;
    first.close();

    for (let i = 0; i < 3; i++)
      await publish(a!.url, { logs: [log('r2', `after-${i}`), log('r1', `after1-${i}`)] });

    const resumed = await stream(c!.url, 'channels=logs:svc:ws:r1,logs:svc:ws:r2', {
      'last-event-id': cursor,
    });
    await resumed.untilEvents('log', 6);
    expect((await publish(b!.url, log('r1', 'live'))).status).toBe(202);
    await resumed.untilEvents('log', 7);
    expect(logs(resumed).map((e) => JSON.parse(e.data).message)).toEqual([
      'after-0',
      'after1-0',
      'after-1',
      'after1-1',
      'after-2',
      'after1-2',
      'live',
    ]);
    expect(resumed.data('gap')).toEqual([]);
    expect(compareCursors(logs(resumed)[0]!.id!, cursor)).toBeGreaterThan(0);
  });

  it('keeps history when a gateway restarts, and a new gateway resumes its cursors', async () => {
    const prefix = redis.prefix();
    const a = await startNode(redis.url, prefix);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      expect((await publish(a.url, log('h', `m${i}`))).status).toBe(202);
    }
    const before = await call(`${a.url}/api/logs/history?channel=logs:svc:ws:h`);
    ids.push(...before.json.logs.map((e: { id: string }) => e.id));
    await a.stop();

    const restarted = await startNode(redis.url, prefix);
    redis.track(restarted);
    const after = await call(`${restarted.url}/api/logs/history?channel=logs:svc:ws:h`);
    expect(after.status).toBe(200);
    expect(after.json.logs.map((e: { message: string }) => e.message)).toEqual([
      'm0',
      'm1',
      'm2',
      'm3',
      'm4',
    ]);
    expect(after.json.logs.map((e: { id: string }) => e.id)).toEqual(ids);

    const tail = await call(`${restarted.url}/api/logs/history?channel=logs:svc:ws:h&tail=2`);
    expect(tail.json.logs.map((e: { message: string }) => e.message)).toEqual(['m3', 'm4']);

    const resumed = await stream(restarted.url, `channels=logs:svc:ws:h&lastEventId=${ids[2]}`);
    await resumed.untilEvents('log', 2);
    expect(logs(resumed).map((e) => e.id)).toEqual(ids.slice(3));
    // New ids keep increasing past the ones handed out before the restart.
    await publish(restarted.url, log('h', 'new'));
    await resumed.untilEvents('log', 3);
    expect(compareCursors(logs(resumed)[2]!.id!, ids[4]!)).toBeGreaterThan(0);
  });

  it('sends a gap to a resume point older than what Redis still keeps', async () => {
    const prefix = redis.prefix();
    const a = await startNode(redis.url, prefix, { store: { historyPerChannel: 10 } });
    const b = await startNode(redis.url, prefix, { store: { historyPerChannel: 10 } });
    redis.track(a, b);
    await publish(a.url, log('g', 'first'));
    const first = await call(`${a.url}/api/logs/history?channel=logs:svc:ws:g`);
    const cursor = first.json.logs[0].id as string;
    await publish(a.url, { logs: Array.from({ length: 30 }, (_, i) => log('g', `n${i}`)) });

    const resumed = await stream(b.url, 'channels=logs:svc:ws:g', { 'last-event-id': cursor });
    await resumed.untilEvents('log', 10);
    const [gap] = resumed.data('gap');
    expect(gap).toEqual({ channel: 'logs:svc:ws:g', missed: 20, from: cursor, reason: 'dropped' });
    expect(logs(resumed).map((e) => JSON.parse(e.data).message)).toEqual(
      Array.from({ length: 10 }, (_, i) => `n${20 + i}`),
    );
    // The gap comes before the channel's entries.
    expect(resumed.events.findIndex((e) => e.event === 'gap')).toBeLessThan(
      resumed.events.findIndex((e) => e.event === 'log'),
    );
  });
});
