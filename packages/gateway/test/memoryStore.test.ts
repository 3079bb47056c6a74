import { ChannelPattern, MemoryStore, type MemoryStoreOptions } from '@logs-sse/gateway';
import type { NormalizedEntry } from '@logs-sse/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

function entry(channel: string, message: string): NormalizedEntry {
  return {
    type: 'log',
    channel,
    body: { channel, timestamp: '2026-01-01T00:00:00.000Z', level: 'info', message },
  };
}

function store(options: Partial<MemoryStoreOptions> = {}) {
  let now = 1_000_000;
  const s = new MemoryStore({
    historyPerChannel: 100,
    historyTtlMs: 60_000,
    maxHistoryBytes: 1e9,
    now: () => now,
    ...options,
  });
  return { s, advance: (ms: number) => (now += ms) };
}

const all = [new ChannelPattern('logs:*:*:*')];
const A = 'logs:s:w:a';
const B = 'logs:s:w:b';

describe('MemoryStore', () => {
  it('assigns strictly increasing cursors across channels and reads them back in that order', async () => {
    const { s } = store();
    const stored = await s.append([entry(A, '1'), entry(B, '2'), entry(A, '3')]);
    expect(stored.map((e) => e.id)).toEqual(['1000000-0', '1000000-1', '1000000-2']);
    const { entries, gaps } = await s.read({ patterns: all, after: null });
    expect(entries.map((e) => e.id)).toEqual(stored.map((e) => e.id));
    expect(gaps).toEqual([]);
    expect((await s.read({ patterns: all, after: stored[0]!.id })).entries.map((e) => e.message)).toEqual([
      '2',
      '3',
    ]);
    expect((await s.read({ patterns: all, after: null, tail: 1 })).entries.map((e) => e.message)).toEqual([
      '2',
      '3',
    ]);
  });

  it('reads up to a cursor, counting a tail back from it', async () => {
    const { s } = store();
    const stored = await s.append(['1', '2', '3', '4', '5'].map((m) => entry(A, m)));
    await s.append([entry(B, 'b')]);
    const messages = async (query: { after: string | null; tail?: number }) =>
      (await s.read({ patterns: all, upTo: stored[3]!.id, ...query })).entries.map((e) => e.message);
    expect(await messages({ after: null })).toEqual(['1', '2', '3', '4']);
    expect(await messages({ after: null, tail: 2 })).toEqual(['3', '4']);
    expect(await messages({ after: stored[1]!.id })).toEqual(['3', '4']);
    expect(await messages({ after: stored[4]!.id })).toEqual([]);
  });

  it('serialises each entry once: JSON with id and type first, and its SSE frame', async () => {
    const { s } = store();
    const [stored] = await s.append([entry(A, 'hi')]);
    expect(stored!.json).toBe(
      '{"id":"1000000-0","type":"log","channel":"logs:s:w:a","timestamp":"2026-01-01T00:00:00.000Z","level":"info","message":"hi"}',
    );
    expect(stored!.frame.toString()).toBe(`id: 1000000-0\nevent: log\ndata: ${stored!.json}\n\n`);
  });

  it('tells live listeners about every append, in order', async () => {
    const { s } = store();
    const seen: string[] = [];
    const off = s.subscribe((entries) => seen.push(...entries.map((e) => e.message)));
    await s.append([entry(A, '1'), entry(B, '2')]);
    off();
    await s.append([entry(A, '3')]);
    expect(seen).toEqual(['1', '2']);
  });

  it('keeps historyPerChannel per channel and reports exact gaps', async () => {
    const { s } = store({ historyPerChannel: 2 });
    const [first] = await s.append([entry(A, '1')]);
    await s.append([entry(A, '2'), entry(A, '3'), entry(A, '4'), entry(B, 'b')]);
    const { entries, gaps } = await s.read({ patterns: all, after: first!.id });
    expect(entries.map((e) => e.message)).toEqual(['3', '4', 'b']);
    expect(gaps).toEqual([{ channel: A, missed: 1, from: first!.id, reason: 'dropped' }]);
    expect(s.stats()).toMatchObject({ channels: 2, entries: 3, evicted: 2 });
  });

  it('drops entries older than the TTL', async () => {
    const { s, advance } = store({ historyTtlMs: 1000 });
    await s.append([entry(A, 'old')]);
    advance(600);
    await s.append([entry(B, 'newer')]);
    advance(600);
    expect((await s.read({ patterns: all, after: null })).entries.map((e) => e.message)).toEqual(['newer']);
    expect(s.stats()).toMatchObject({ channels: 1, entries: 1, evicted: 1 });
  });

  it('keeps total bytes under maxHistoryBytes by evicting the oldest entries of any channel', async () => {
    const { s } = store({ maxHistoryBytes: 4000 });
    for (let i = 0; i < 50; i++) await s.append([entry(i % 2 ? A : B, `${i}:${'x'.repeat(100)}`)]);
    const stats = s.stats();
    expect(stats.bytes).toBeLessThanOrEqual(4000);
    expect(stats.entries).toBeGreaterThan(0);
    const kept = (await s.read({ patterns: all, after: null })).entries.map((e) =>
      Number(e.message.split(':')[0]),
    );
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 50 - kept.length + i));
  });

  it('frees what a full channel pushes out, however long it runs', async () => {
    const { s } = store({ historyPerChannel: 10 });
    for (let i = 0; i < 20_000; i++) await s.append([entry(A, String(i))]);
    expect(s.stats()).toMatchObject({ entries: 10, evicted: 19_990 });
    // The global eviction order is compacted: its length stays proportional to what is kept.
    const order = (s as unknown as { order: unknown[]; orderHead: number }).order;
    expect(order.length).toBeLessThan(2100);
  });
});

describe('MemoryStore memory bound across many channels', () => {
  it('counts each channel in the byte cap, so many small channels cannot grow memory without bound', async () => {
    const { s } = store({ historyPerChannel: 1000, maxHistoryBytes: 200_000 });
    for (let i = 0; i < 5_000; i += 100) {
      await s.append(Array.from({ length: 100 }, (_, k) => entry(`logs:s:w:r${i + k}`, 'x')));
    }
    const { bytes, channels, entries } = s.stats();
    expect(bytes).toBeLessThanOrEqual(200_000);
    // Every kept channel holds an entry; the oldest channels were dropped whole.
    expect(channels).toBe(entries);
    expect(channels).toBeLessThan(5_000);
    const kept = (await s.read({ patterns: all, after: null })).entries.map((e) => e.channel);
    expect(kept.at(-1)).toBe('logs:s:w:r4999');
  });
});

describe('MemoryStore reads with a limit', () => {
  it('returns the oldest or newest `limit` of what the query selects, oldest first, and what it cut', async () => {
    const channelNames = ['logs:s:w:a', 'logs:s:w:b', 'logs:s:x:c', 'logs:t:w:d'];
    const patterns = ['logs:*:*:*', 'logs:s:*:*', 'logs:s:w:a', 'logs:*:w:*'];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...channelNames), { minLength: 1, maxLength: 120 }),
        fc.constantFrom(...patterns),
        fc.integer({ min: 1, max: 50 }),
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
        fc.nat(120),
        fc.nat(120),
        async (writes, pattern, limit, newest, tail, afterAt, upToAt) => {
          const { s } = store({ historyPerChannel: 40 });
          const stored = await s.append(writes.map((c, i) => entry(c, String(i))));
          const after = afterAt < stored.length ? stored[afterAt]!.id : null;
          const upTo = upToAt < stored.length ? stored[upToAt]!.id : undefined;
          const query = { patterns: [new ChannelPattern(pattern)], after, tail, upTo };
          const whole = await s.read(query);
          const page = await s.read({ ...query, limit, newest });

          const expected = newest ? whole.entries.slice(-limit) : whole.entries.slice(0, limit);
          expect(page.entries.map((e) => e.id)).toEqual(expected.map((e) => e.id));
          expect(page.more).toBe(whole.entries.length > limit);
          expect(page.gaps).toEqual(whole.gaps);
          const left = newest ? whole.entries.slice(0, -limit) : whole.entries.slice(limit);
          const cut = new Map<string, number>();
          if (page.more) for (const e of left) cut.set(e.channel, (cut.get(e.channel) ?? 0) + 1);
          expect(page.cut ?? new Map()).toEqual(cut);
        },
      ),
      { numRuns: 300 },
    );
  });
});
