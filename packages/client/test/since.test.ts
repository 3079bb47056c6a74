import { API_PATHS, type GapEvent, type LogEntry } from '@logs-sse/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogsClient } from '../src/index';
import { expected, expectIncreasingIds, publishRange, startGateway } from './gatewayHelpers';
import { CHANNEL_A, CHANNEL_B, Collector, waitForStatus } from './helpers';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gatewayWith(options: Parameters<typeof startGateway>[0] = {}) {
  const { gateway, url } = await startGateway(options);
  cleanups.push(() => gateway.close());
  return url;
}

function client(url: string) {
  const created = createLogsClient({
    url,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    debounceMs: 5,
  });
  cleanups.push(() => created.close());
  return created;
}

/** The cursors the gateway gave a channel's entries, by message. */
async function idsOf(url: string, channel: string): Promise<Map<string, string>> {
  const response = await fetch(`${url}${API_PATHS.history}?channel=${channel}`);
  const { logs } = (await response.json()) as { logs: LogEntry[] };
  return new Map(logs.map((entry) => [entry.message, entry.id]));
}

describe('subscribe(channel, { since })', () => {
  it('loads the entries after the cursor, then the live ones, each once and in order', async () => {
    const url = await gatewayWith();
    await publishRange(url, CHANNEL_A, 1, 3);
    const since = (await idsOf(url, CHANNEL_A)).get(`${CHANNEL_A}#1`)!;
    const logs = client(url);
    const a = new Collector();
    logs.subscribe(CHANNEL_A, { onLogs: a.onLogs, since, tail: 100 });
    await a.waitFor(2);
    expect(a.messages()).toEqual(expected(CHANNEL_A, 2, 3));
    // History and whatever the stream brought meanwhile arrive as one batch.
    expect(a.batches).toHaveLength(1);
    await publishRange(url, CHANNEL_A, 4, 4);
    await a.waitFor(3);
    expect(a.messages()).toEqual(expected(CHANNEL_A, 2, 4));
    expect(logs.getLogs(CHANNEL_A).map((entry) => entry.message)).toEqual(expected(CHANNEL_A, 2, 4));
    expectIncreasingIds(a.entries);
  });

  it('neither loses nor repeats an entry published while the history is loaded', async () => {
    const url = await gatewayWith();
    await publishRange(url, CHANNEL_A, 1, 40);
    const since = (await idsOf(url, CHANNEL_A)).get(`${CHANNEL_A}#10`)!;
    const logs = client(url);
    const a = new Collector();
    logs.subscribe(CHANNEL_A, { onLogs: a.onLogs, since });
    // Published while the client connects, says hello and reads the history.
    for (let from = 41; from <= 200; from += 10) await publishRange(url, CHANNEL_A, from, from + 9);
    await a.waitFor(190);
    expect(a.messages()).toEqual(expected(CHANNEL_A, 11, 200));
    expectIncreasingIds(a.entries);
    expect(logs.stats().duplicates).toBe(0);
  });

  it('fills the range up to the resume cursor for a channel added to a running connection', async () => {
    const url = await gatewayWith();
    const logs = client(url);
    const b = new Collector();
    logs.subscribe(CHANNEL_B, { onLogs: b.onLogs });
    await waitForStatus(logs, 'open');
    await publishRange(url, CHANNEL_A, 1, 5);
    await publishRange(url, CHANNEL_B, 1, 3);
    await b.waitFor(3); // the client's cursor is now newer than every entry of A
    const since = (await idsOf(url, CHANNEL_A)).get(`${CHANNEL_A}#2`)!;
    const a = new Collector();
    logs.subscribe(CHANNEL_A, { onLogs: a.onLogs, since });
    await vi.waitFor(() => expect(logs.stats().connections).toBe(2));
    await publishRange(url, CHANNEL_A, 6, 8);
    await a.waitFor(6);
    expect(a.messages()).toEqual(expected(CHANNEL_A, 3, 8));
    expect(b.messages()).toEqual(expected(CHANNEL_B, 1, 3));
  });

  it("keeps to the cursor when another channel's tail makes the stream replay this one too", async () => {
    const url = await gatewayWith();
    await publishRange(url, CHANNEL_A, 1, 10);
    await publishRange(url, CHANNEL_B, 1, 10);
    const ids = await idsOf(url, CHANNEL_A);
    const logs = client(url);
    const a = new Collector();
    const b = new Collector();
    // One stream for both, asking for a tail of 5: the gateway replays A#6..A#10 too.
    logs.subscribe(CHANNEL_B, { onLogs: b.onLogs, tail: 5 });
    logs.subscribe(CHANNEL_A, { onLogs: a.onLogs, since: ids.get(`${CHANNEL_A}#2`)! });
    await Promise.all([a.waitFor(8), b.waitFor(5)]);
    expect(a.messages()).toEqual(expected(CHANNEL_A, 3, 10));
    expect(b.messages()).toEqual(expected(CHANNEL_B, 6, 10));
    await publishRange(url, CHANNEL_A, 11, 11);
    await a.waitFor(9);
    expect(a.messages()).toEqual(expected(CHANNEL_A, 3, 11));
    expect(logs.stats().connections).toBe(1);
  });

  it('keeps to the cursor when the connection resumes from before it', async () => {
    const url = await gatewayWith();
    const logs = client(url);
    logs.subscribe(CHANNEL_B);
    await waitForStatus(logs, 'open');
    // The cursor comes from elsewhere (another tab, a link): newer than anything this client has seen.
    await publishRange(url, CHANNEL_A, 1, 5);
    const since = (await idsOf(url, CHANNEL_A)).get(`${CHANNEL_A}#3`)!;
    const a = new Collector();
    logs.subscribe(CHANNEL_A, { onLogs: a.onLogs, since });
    await vi.waitFor(() => expect(logs.stats().connections).toBe(2));
    await publishRange(url, CHANNEL_A, 6, 6);
    await a.waitFor(3);
    expect(a.messages()).toEqual(expected(CHANNEL_A, 4, 6));
    expect(logs.getLogs(CHANNEL_A).map((entry) => entry.message)).toEqual(expected(CHANNEL_A, 4, 6));
  });

  it('delivers what the gateway still keeps when the cursor is older than that, after a gap', async () => {
    const url = await gatewayWith({ historyPerChannel: 5 });
    await publishRange(url, CHANNEL_A, 1, 2);
    const since = (await idsOf(url, CHANNEL_A)).get(`${CHANNEL_A}#1`)!;
    await publishRange(url, CHANNEL_A, 3, 20);
    const logs = client(url);
    const a = new Collector();
    const gaps: GapEvent[] = [];
    logs.subscribe(CHANNEL_A, { onLogs: a.onLogs, onGap: (gap) => gaps.push(gap), since });
    await a.waitFor(5);
    expect(a.messages()).toEqual(expected(CHANNEL_A, 16, 20));
    // #2 to #15 were evicted: the gateway says so (it counts at least the ones it still remembers).
    expect(gaps).toEqual([
      { channel: CHANNEL_A, missed: expect.any(Number), from: since, reason: 'dropped' },
    ]);
    expect(gaps[0]!.missed).toBeGreaterThanOrEqual(5);
    expect(gaps[0]!.missed).toBeLessThanOrEqual(14);
    await publishRange(url, CHANNEL_A, 21, 21);
    await a.waitFor(6);
    expect(a.messages()).toEqual(expected(CHANNEL_A, 16, 21));
  });

  it('takes a history longer than one event may carry as its newest part and a gap, on one connection', async () => {
    const url = await gatewayWith();
    await publishRange(url, CHANNEL_A, 0, 0);
    const since = (await idsOf(url, CHANNEL_A)).get(`${CHANNEL_A}#0`)!;
    // 1,000 entries of ~9 KB: more than the client buffers for one event, were it sent whole.
    const message = (i: number) => `${i} ${'x'.repeat(9000)}`;
    for (let from = 0; from < 1000; from += 100) {
      const logs = Array.from({ length: 100 }, (_, i) => ({
        channel: CHANNEL_A,
        message: message(from + i),
      }));
      const response = await fetch(`${url}${API_PATHS.publish}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ logs }),
      });
      expect(response.status).toBe(202);
    }
    const logs = client(url);
    const a = new Collector();
    const gaps: GapEvent[] = [];
    logs.subscribe(CHANNEL_A, { onLogs: a.onLogs, onGap: (gap) => gaps.push(gap), since });
    await a.waitFor(1);
    const count = a.entries.length;
    expect(a.messages()).toEqual(Array.from({ length: count }, (_, i) => message(1000 - count + i)));
    expect(gaps).toEqual([{ channel: CHANNEL_A, missed: 1000 - count, from: since, reason: 'dropped' }]);
    expect(logs.stats()).toMatchObject({ connections: 1, malformed: 0 });
  });

  it('gives a later subscriber of the channel the buffer as it is', async () => {
    const url = await gatewayWith();
    await publishRange(url, CHANNEL_A, 1, 3);
    const ids = await idsOf(url, CHANNEL_A);
    const logs = client(url);
    const first = new Collector();
    logs.subscribe(CHANNEL_A, { onLogs: first.onLogs, since: ids.get(`${CHANNEL_A}#1`)! });
    await first.waitFor(2);
    const second = new Collector();
    logs.subscribe(CHANNEL_A, { onLogs: second.onLogs, since: ids.get(`${CHANNEL_A}#2`)! });
    await publishRange(url, CHANNEL_A, 4, 4);
    await Promise.all([first.waitFor(3), second.waitFor(1)]);
    expect(second.messages()).toEqual(expected(CHANNEL_A, 4, 4));
    expect(logs.getLogs(CHANNEL_A).map((entry) => entry.message)).toEqual(expected(CHANNEL_A, 2, 4));
  });

  it('gives a pattern the history of each matching channel', async () => {
    const url = await gatewayWith();
    await publishRange(url, CHANNEL_A, 1, 4);
    await publishRange(url, CHANNEL_B, 1, 4);
    const logs = client(url);
    const all = new Collector();
    logs.subscribe('logs:etl:ws-1:*', { onLogs: all.onLogs, tail: 2 });
    await all.waitFor(4);
    expect(all.messages()).toEqual([...expected(CHANNEL_A, 3, 4), ...expected(CHANNEL_B, 3, 4)]);
    await publishRange(url, CHANNEL_B, 5, 5);
    await all.waitFor(5);
    expect(all.messages().at(-1)).toBe(`${CHANNEL_B}#5`);
    expect(logs.stats().duplicates).toBe(0);
  });

  it('rejects a since that is not a cursor', () => {
    const logs = client('http://127.0.0.1:9');
    expect(() => logs.subscribe(CHANNEL_A, { since: 'yesterday' })).toThrow(/since/);
  });
});
