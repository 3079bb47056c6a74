import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { SILENT_LOGGER } from '../src/logger';
import { Metrics } from '../src/metrics';
import { ChannelPattern } from '../src/patterns';
import type { StoredEntry } from '../src/store/store';
import { Fanout } from '../src/stream/fanout';
import { Subscriber } from '../src/stream/subscriber';

const CHANNEL = 'logs:svc:ws:a';
const HEARTBEAT = Buffer.from(': heartbeat\n\n');

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A response that records each write as the text it carried; `writableLength` is what it holds unsent. */
function fakeResponse() {
  const writes: string[] = [];
  const res = {
    writes,
    writableLength: 0,
    destroyed: false,
    write(chunk: Buffer) {
      writes.push(chunk.toString());
      return true;
    },
    destroy() {
      res.destroyed = true;
    },
  };
  return res;
}

function setup(flushWindowMs: number, maxBufferedBytes = 1024 * 1024) {
  const metrics = new Metrics();
  const fanout = new Fanout({
    maxBufferedBytes,
    flushWindowMs,
    now: () => Date.now(),
    metrics,
    logger: SILENT_LOGGER,
  });
  const open = () => {
    const res = fakeResponse();
    const sub = new Subscriber(
      `c${fanout.subscribers.size}`,
      res as unknown as ServerResponse,
      [new ChannelPattern(CHANNEL)],
      { minLevel: -1, query: '' },
    );
    fanout.add(sub);
    fanout.goLive(sub, null);
    return { sub, res };
  };
  let seq = 0;
  /** Stores one entry of about `size` bytes, as a publish of one log would. */
  const publish = (size = 60) => {
    const id = `${1_000_000 + seq}-0`;
    const text = `log ${seq++}`;
    const frame = Buffer.from(`id: ${id}\nevent: log\ndata: ${text.padEnd(size, '.')}\n\n`);
    const entry: StoredEntry = {
      id,
      type: 'log',
      channel: CHANNEL,
      json: text,
      frame,
      levelRank: 30,
      message: text,
      storedAt: Date.now(),
    };
    fanout.deliver([entry]);
  };
  return { fanout, metrics, open, publish };
}

/**
 * Runs `n` turns of the event loop, a millisecond apart: the fake clock runs what a turn schedules with
 * `setImmediate` only once it moves on.
 */
async function turns(n: number) {
  for (let i = 0; i < n; i++) await vi.advanceTimersByTimeAsync(1);
}

/** The `log N` texts one write carried, in order. */
const logsIn = (write: string) => [...write.matchAll(/data: (log \d+)/g)].map((m) => m[1]);

it('writes a stream that was quiet on the next turn, without waiting for the window', async () => {
  const { open, publish } = setup(50);
  const { res } = open();
  publish();
  expect(res.writes).toEqual([]);
  await vi.advanceTimersByTimeAsync(0);
  expect(res.writes.map(logsIn)).toEqual([['log 0']]);
  // Long after, the next entry is again written on the next turn.
  await vi.advanceTimersByTimeAsync(500);
  publish();
  await vi.advanceTimersByTimeAsync(0);
  expect(res.writes.map(logsIn)).toEqual([['log 0'], ['log 1']]);
});

it('joins steady traffic into one write per window, in order, none lost', async () => {
  const { open, publish, metrics } = setup(50);
  const a = open();
  const b = open();
  // One publish every 5 ms for 200 ms.
  for (let i = 0; i < 40; i++) {
    publish();
    await vi.advanceTimersByTimeAsync(5);
  }
  await vi.advanceTimersByTimeAsync(50);
  for (const { res } of [a, b]) {
    const logs = res.writes.flatMap(logsIn);
    expect(logs).toEqual(Array.from({ length: 40 }, (_, i) => `log ${i}`));
    // The first write alone, then one per window: 200 ms / 50 ms.
    expect(res.writes.length).toBeLessThanOrEqual(1 + 200 / 50);
    expect(res.writes[0]).toContain('log 0');
  }
  expect(metrics.logsOut).toBe(80);
});

it('holds an entry no longer than the window after the last write', async () => {
  const { open, publish } = setup(50);
  const { res } = open();
  publish();
  await vi.advanceTimersByTimeAsync(0);
  await vi.advanceTimersByTimeAsync(10);
  publish();
  await vi.advanceTimersByTimeAsync(39);
  expect(res.writes).toHaveLength(1);
  await vi.advanceTimersByTimeAsync(1);
  expect(res.writes.map(logsIn)).toEqual([['log 0'], ['log 1']]);
});

it('with a window of 0 writes every turn, as many writes as turns with entries', async () => {
  const { open, publish } = setup(0);
  const { res } = open();
  for (let i = 0; i < 10; i++) {
    publish();
    await vi.advanceTimersByTimeAsync(1);
  }
  expect(res.writes.map(logsIn)).toEqual(Array.from({ length: 10 }, (_, i) => [`log ${i}`]));
});

it('writes a waiting stream on the next turn once its queued bytes pass 16 KiB', async () => {
  const { open, publish } = setup(100);
  const { res } = open();
  publish();
  await vi.advanceTimersByTimeAsync(0);
  // 20 entries of 1 KiB within the window: the 17th passes the threshold.
  for (let i = 0; i < 20; i++) publish(1024);
  await vi.advanceTimersByTimeAsync(0);
  expect(res.writes).toHaveLength(2);
  expect(logsIn(res.writes[1]!)).toHaveLength(20);
  // Written just now, the next entry waits for the window again.
  publish();
  await vi.advanceTimersByTimeAsync(99);
  expect(res.writes).toHaveLength(2);
  await vi.advanceTimersByTimeAsync(1);
  expect(logsIn(res.writes[2]!)).toEqual(['log 21']);
});

it('sends a heartbeat at once to a quiet stream, and within the window to a busy one', async () => {
  const { fanout, open, publish } = setup(50);
  const quiet = open();
  fanout.broadcast(HEARTBEAT);
  await vi.advanceTimersByTimeAsync(0);
  expect(quiet.res.writes).toEqual([': heartbeat\n\n']);

  await vi.advanceTimersByTimeAsync(1000);
  publish();
  await vi.advanceTimersByTimeAsync(20);
  fanout.broadcast(HEARTBEAT);
  await vi.advanceTimersByTimeAsync(29);
  expect(quiet.res.writes).toHaveLength(2);
  await vi.advanceTimersByTimeAsync(1);
  expect(quiet.res.writes[2]).toBe(': heartbeat\n\n');
});

it('still drops a stream whose socket holds more than maxBufferedBytes', async () => {
  const { fanout, metrics, open, publish } = setup(50, 4096);
  const stalled = open();
  const healthy = open();
  publish();
  await vi.advanceTimersByTimeAsync(0);
  stalled.res.writableLength = 5000;
  publish();
  expect(stalled.res.destroyed).toBe(true);
  expect(metrics.slowDisconnects).toBe(1);
  expect(fanout.subscribers.has(stalled.sub)).toBe(false);
  await vi.advanceTimersByTimeAsync(50);
  expect(healthy.res.writes.flatMap(logsIn)).toEqual(['log 0', 'log 1']);
});

it('writes what waits for its window at once when flushed for shutdown', async () => {
  const { fanout, open, publish } = setup(100);
  const { res } = open();
  publish();
  await vi.advanceTimersByTimeAsync(0);
  publish();
  publish();
  fanout.flushAll();
  expect(res.writes.map(logsIn)).toEqual([['log 0'], ['log 1', 'log 2']]);
  // Nothing is written twice when the window's timer would have fired.
  await vi.advanceTimersByTimeAsync(200);
  expect(res.writes).toHaveLength(2);
});

it('forgets a stream that closed while it waited', async () => {
  const { fanout, open, publish } = setup(50);
  const gone = open();
  const stays = open();
  publish();
  await vi.advanceTimersByTimeAsync(0);
  publish();
  fanout.remove(gone.sub);
  await vi.advanceTimersByTimeAsync(50);
  expect(gone.res.writes).toHaveLength(1);
  expect(stays.res.writes.flatMap(logsIn)).toEqual(['log 0', 'log 1']);
});

it('lets other work run after every 1,000 streams it writes, and still writes each stream once, in order', async () => {
  const { open, publish, metrics } = setup(50);
  const order: string[] = [];
  const streams = Array.from({ length: 2500 }, (_, i) => {
    const { res } = open();
    const write = res.write;
    res.write = (chunk: Buffer) => {
      order.push(`stream ${i}`);
      // Work that arrives while the first streams are written: a request, a timer, another publish.
      if (i === 0) setImmediate(() => order.push('other work'));
      return write(chunk);
    };
    return res;
  });
  publish();
  await turns(3);
  expect(order.indexOf('other work')).toBe(1000);
  expect(order.filter((step) => step !== 'other work')).toEqual(streams.map((_, i) => `stream ${i}`));
  for (const res of streams) expect(res.writes.map(logsIn)).toEqual([['log 0']]);
  expect(metrics.logsOut).toBe(2500);
});

it('writes entries that come while a pass is under way with the streams still waiting for it', async () => {
  const { open, publish } = setup(50);
  const streams = Array.from({ length: 1500 }, () => open().res);
  // The second entry comes between the first 1,000 streams and the other 500.
  const write = streams[0]!.write;
  streams[0]!.write = (chunk: Buffer) => {
    streams[0]!.write = write;
    setImmediate(() => publish());
    return write(chunk);
  };
  publish();
  await turns(2);
  // Written before it came: it waits for their window. Not written yet: it joins their write.
  expect(streams[999]!.writes.map(logsIn)).toEqual([['log 0']]);
  expect(streams[1000]!.writes.map(logsIn)).toEqual([['log 0', 'log 1']]);
  await vi.advanceTimersByTimeAsync(50);
  expect(streams[999]!.writes.map(logsIn)).toEqual([['log 0'], ['log 1']]);
  expect(streams[1000]!.writes).toHaveLength(1);
});
