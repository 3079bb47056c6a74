import { afterEach, expect, it } from 'vitest';
import { openStream, publish, type SseReader, type Started, startGateway } from './helpers';

let g: Started;
const readers: SseReader[] = [];
afterEach(async () => {
  for (const reader of readers.splice(0)) reader.close();
  await g.gateway.close();
});

/** Every stream also reads this channel; its entry, published last, tells each stream the batch is over. */
const END = 'logs:zz:end:end';

async function open(channels: string[]): Promise<SseReader> {
  const reader = await openStream(g.url, `channels=${[...channels, END].join(',')}`);
  expect(reader.status).toBe(200);
  readers.push(reader);
  return reader;
}

/** 99 distinct patterns per stream that share segments with `logs:svc:ws:*` channels but match none. */
function decoys(stream: number): string[] {
  return Array.from({ length: 99 }, (_, k) => {
    const i = stream * 99 + k;
    return [`logs:svc:*:x${i}`, `logs:svc:w${i}:*`, `logs:*:ws:x${i}`, `logs:s${i}:*:*`][i % 4]!;
  });
}

async function untilAllIdle(): Promise<void> {
  // Each close reaches the gateway as a socket event of its own: a bounded number of event-loop turns.
  for (let turn = 0; turn < 10_000 && g.gateway.stats().connections > 0; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

it('sends each entry once to exactly the streams that match it, among thousands of other patterns', async () => {
  g = await startGateway();
  const decoyStreams = await Promise.all(Array.from({ length: 40 }, (_, s) => open(decoys(s))));
  const byName = await open(['logs:svc:ws:r1']);
  // Three patterns and a name that all match r1: still one copy of each entry.
  const overlapping = await open(['logs:svc:*:r1', 'logs:svc:ws:*', 'logs:*:*:*', 'logs:svc:ws:r1']);
  const other = await open(['logs:svc:ws:r2']);
  const elsewhere = await open(['logs:other:*:*', 'logs:*:ws2:*']);
  expect(Object.keys(g.gateway.stats().subscriptions).length).toBe(40 * 99 + 8);

  const logs = ['r1', 'r2', 'r1', 'r3'].map((resource, i) => ({
    channel: `logs:svc:ws:${resource}`,
    message: `m${i}`,
  }));
  expect((await publish(g.url, { logs })).status).toBe(202);
  expect((await publish(g.url, { channel: END, message: 'end' })).status).toBe(202);

  const received = async (reader: SseReader) => {
    await reader.until((r) => r.data('log').some((e) => e.channel === END), 'the end entry');
    return reader.data('log').map((e) => e.message);
  };
  expect(await received(byName)).toEqual(['m0', 'm2', 'end']);
  expect(await received(overlapping)).toEqual(['m0', 'm1', 'm2', 'm3', 'end']);
  expect(await received(other)).toEqual(['m1', 'end']);
  expect(await received(elsewhere)).toEqual(['end']);
  for (const reader of decoyStreams) expect(await received(reader)).toEqual(['end']);
  // byName 3, overlapping 5, other 2, elsewhere 1, each decoy stream 1.
  expect(g.gateway.stats().logs.out).toBe(3 + 5 + 2 + 1 + 40);
});

it('forgets every channel and pattern once the streams holding them have closed, round after round', async () => {
  g = await startGateway();
  for (let round = 0; round < 3; round++) {
    // Different patterns each round: what the gateway keeps must follow the open streams, not history.
    const streams = await Promise.all(Array.from({ length: 10 }, (_, s) => open(decoys(round * 10 + s))));
    expect(Object.keys(g.gateway.stats().subscriptions).length).toBe(10 * 99 + 1);
    for (const reader of streams) reader.close();
    readers.length = 0;
    await untilAllIdle();
    expect(g.gateway.stats().connections).toBe(0);
    expect(g.gateway.stats().subscriptions).toEqual({});
  }
});
