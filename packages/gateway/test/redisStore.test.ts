import { ChannelPattern, type StoredEntry } from '@logs-sse/gateway';
import { compareCursors, type NormalizedEntry, validateEntry } from '@logs-sse/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/store/redis/redisStore';
import { toStoredEntry } from '../src/store/storedEntry';
import { RoundRobinProxy } from './redisProxy';
import { type RedisServer, startRedis } from './redisServer';

let redis: RedisServer;
const stores: RedisStore[] = [];
let prefixCounter = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await redis.dispose();
});

/** A store on the test's Redis; each test gets a prefix of its own unless it shares one on purpose. */
async function store(options: ConstructorParameters<typeof RedisStore>[0] = {}): Promise<RedisStore> {
  const s = new RedisStore({ url: redis.url, prefix: `t${++prefixCounter}`, ...options });
  stores.push(s);
  await s.ready();
  return s;
}

function entry(resource: string, message: string, extra: Record<string, unknown> = {}): NormalizedEntry {
  const result = validateEntry({ channel: `logs:svc:ws:${resource}`, message, ...extra });
  if (!result.ok) throw new Error(result.message);
  return result.entry;
}

const exact = (resource: string) => new ChannelPattern(`logs:svc:ws:${resource}`);

/** Collects what a store's listener receives, and lets a test await a count. */
function collect(s: RedisStore) {
  const got: StoredEntry[] = [];
  let wake: (() => void) | undefined;
  s.subscribe((entries) => {
    got.push(...entries);
    wake?.();
  });
  return {
    got,
    async until(count: number) {
      while (got.length < count) await new Promise<void>((r) => (wake = r));
    },
  };
}

describe('RedisStore', () => {
  it('hands out increasing ids across channels and builds the same entry the memory path builds', async () => {
    const s = await store();
    const input = [entry('a', 'one', { level: 'warn' }), entry('b', 'two'), entry('a', 'three')];
    const stored = await s.append(input);
    expect(stored.map((e) => e.channel)).toEqual(input.map((e) => e.channel));
    for (let i = 1; i < stored.length; i++)
      expect(compareCursors(stored[i - 1]!.id, stored[i]!.id)).toBeLessThan(0);
    for (let i = 0; i < stored.length; i++) {
      const expected = toStoredEntry(input[i]!, stored[i]!.id, 0);
      expect(stored[i]!.json).toBe(expected.json);
      expect(stored[i]!.frame.equals(expected.frame)).toBe(true);
      expect(stored[i]!.levelRank).toBe(expected.levelRank);
    }
    const later = await s.append([entry('b', 'four')]);
    expect(compareCursors(stored[2]!.id, later[0]!.id)).toBeLessThan(0);

    const read = await s.read({ patterns: [exact('a'), exact('b')], after: null });
    expect(read.entries.map((e) => e.json)).toEqual([...stored, ...later].map((e) => e.json));
    expect(read.gaps).toEqual([]);
  });

  it('reads after a cursor, the last N per channel, and wildcard patterns without KEYS', async () => {
    const s = await store();
    const stored = await s.append([
      entry('a', 'a1'),
      entry('b', 'b1'),
      entry('a', 'a2'),
      entry('c', 'c1'),
      entry('b', 'b2'),
    ]);
    const after = await s.read({ patterns: [exact('a'), exact('b')], after: stored[1]!.id });
    expect(after.entries.map((e) => e.message)).toEqual(['a2', 'b2']);

    const tail = await s.read({ patterns: [exact('a'), exact('b'), exact('c')], after: null, tail: 1 });
    expect(tail.entries.map((e) => e.message)).toEqual(['a2', 'c1', 'b2']);

    const wild = await s.read({ patterns: [new ChannelPattern('logs:svc:*:*')], after: stored[0]!.id });
    expect(wild.entries.map((e) => e.message)).toEqual(['b1', 'a2', 'c1', 'b2']);

    const none = await s.read({ patterns: [new ChannelPattern('logs:other:*:*'), exact('zz')], after: null });
    expect(none.entries).toEqual([]);

    // A tail of 0 (`tail=0`, `history=<channel>~0`) reads nothing, as in memory: Redis answers COUNT 0 with nil.
    const zero = await s.read({ patterns: [exact('a')], after: null, tail: 0 });
    expect(zero.entries).toEqual([]);

    // Up to a cursor: a tail counts back from it; an `after` past it reads nothing.
    const upTo = stored[3]!.id;
    const bounded = await s.read({ patterns: [exact('a'), exact('b')], after: null, upTo });
    expect(bounded.entries.map((e) => e.message)).toEqual(['a1', 'b1', 'a2']);
    const boundedTail = await s.read({ patterns: [exact('a'), exact('b')], after: null, tail: 1, upTo });
    expect(boundedTail.entries.map((e) => e.message)).toEqual(['b1', 'a2']);
    const past = await s.read({ patterns: [exact('b')], after: stored[4]!.id, upTo });
    expect(past.entries).toEqual([]);
  });

  it('trims each channel to its cap and reports a gap to a cursor from before the trim', async () => {
    const s = await store({ historyPerChannel: 1 });
    const first = await s.append([entry('a', 'before', {})]);
    const cursor = first[0]!.id;
    // Redis trims whole blocks of 100 entries: write enough that the first block surely goes.
    const batch = Array.from({ length: 400 }, (_, i) => entry('a', `m${i}`));
    const stored = await s.append(batch);
    const read = await s.read({ patterns: [exact('a')], after: null });
    expect(read.entries.length).toBeLessThan(401);
    expect(read.entries.at(-1)!.id).toBe(stored.at(-1)!.id);

    const resumed = await s.read({ patterns: [exact('a')], after: cursor });
    const kept = resumed.entries.length;
    expect(resumed.gaps).toEqual([
      { channel: 'logs:svc:ws:a', missed: 400 - kept, from: cursor, reason: 'dropped' },
    ]);

    // A cursor still inside the kept entries misses nothing.
    const inside = await s.read({ patterns: [exact('a')], after: resumed.entries[0]!.id });
    expect(inside.gaps).toEqual([]);
    expect(inside.entries.length).toBe(kept - 1);

    // A cursor from before the history began (another epoch): a reset, then every trimmed entry.
    const old = await s.read({ patterns: [exact('a')], after: '1-0' });
    expect(old.gaps.map((gap) => [gap.reason, gap.missed])).toEqual([
      ['reset', 0],
      ['dropped', 401 - kept],
    ]);
  });

  it('delivers entries appended by another store on the same prefix once each, in order', async () => {
    const prefix = `shared${++prefixCounter}`;
    const a = await store({ prefix });
    const b = await store({ prefix });
    const seenByA = collect(a);
    const seenByB = collect(b);
    const appended: StoredEntry[] = [];
    for (let i = 0; i < 20; i++) {
      appended.push(
        ...(await (i % 2 === 0 ? a : b).append([entry(`r${i % 3}`, `n${i}`), entry('x', `x${i}`)])),
      );
    }
    await seenByA.until(40);
    await seenByB.until(40);
    const ids = appended.map((e) => e.id);
    expect(seenByA.got.map((e) => e.id)).toEqual(ids);
    expect(seenByB.got.map((e) => e.id)).toEqual(ids);
    expect(seenByB.got.map((e) => e.json)).toEqual(appended.map((e) => e.json));
  });

  it('catches up from the channel streams when the feed was trimmed past a disconnected gateway', async () => {
    const prefix = `cut${++prefixCounter}`;
    // Store B reaches Redis through a proxy the test can take away, as a network partition would.
    const link = new RoundRobinProxy([redis.port]);
    await link.listen();
    const linkPort = link.port;
    const a = await store({ prefix, feedLength: 10 });
    // Two channels a page: the catch-up below has to page through three.
    const b = await store({
      prefix,
      feedLength: 10,
      maxChannelsPerRead: 2,
      url: `redis://127.0.0.1:${linkPort}`,
    });
    const seen = collect(b);
    const appended = await a.append([entry('c1', 'before')]);
    await seen.until(1);

    const down = new Promise<void>((resolve) => {
      const off = b.onReadyChange((ready) => {
        if (!ready) {
          off();
          resolve();
        }
      });
    });
    await link.close();
    await down;
    // Far more than the feed keeps, over several channels, while B cannot read.
    for (let i = 0; i < 5; i++) {
      appended.push(
        ...(await a.append(Array.from({ length: 100 }, (_, j) => entry(`c${j % 3}`, `${i}-${j}`)))),
      );
    }
    const relink = new RoundRobinProxy([redis.port]);
    await relink.listen(linkPort);
    try {
      await b.ready();
      appended.push(...(await a.append([entry('c2', 'after')])));
      await seen.until(appended.length);
      expect(seen.got.map((e) => e.id)).toEqual(appended.map((e) => e.id));
      expect(b.stats().redis.feedCatchUps).toBe(1);
    } finally {
      await b.close();
      await relink.close();
    }
  });

  it('keeps prefixes apart', async () => {
    const a = await store({ prefix: `p${++prefixCounter}` });
    const b = await store({ prefix: `p${++prefixCounter}` });
    await a.append([entry('a', 'only in a')]);
    expect((await b.read({ patterns: [exact('a')], after: null })).entries).toEqual([]);
    expect((await a.read({ patterns: [exact('a')], after: null })).entries).toHaveLength(1);
  });

  it('reports deployment-wide figures and the Redis side in stats()', async () => {
    const s = await store();
    await s.append([entry('a', '1'), entry('b', '2'), entry('b', '3')]);
    await s.refreshStats();
    const stats = s.stats();
    expect(stats).toMatchObject({ channels: 2, entries: 3, evicted: 0 });
    expect(stats.bytes).toBeGreaterThan(0);
    expect(stats.redis).toMatchObject({ connected: true, writeErrors: 0 });
    expect(s.isReady()).toBe(true);
  });

  it('refuses misuse with a message that says what to do', () => {
    expect(() => new RedisStore({ url: 'http://localhost' })).toThrow(/redis:\/\//);
    expect(() => new RedisStore({ prefix: 'a*' })).toThrow(/prefix/);
    expect(() => new RedisStore({ historyPerChannel: 0 })).toThrow(/historyPerChannel/);
    for (const readWindowMs of [-1, 1001, 2.5, Number.NaN]) {
      expect(() => new RedisStore({ readWindowMs })).toThrow(
        /readWindowMs must be an integer from 0 to 1000/,
      );
    }
  });

  it('under steady traffic reads the feed once per window, every entry once and in order', async () => {
    const s = await store({ readWindowMs: 1000 });
    const batches: number[] = [];
    const seen = collect(s);
    s.subscribe((entries) => batches.push(entries.length));
    const appended: StoredEntry[] = [];
    for (let i = 0; i < 30; i++) appended.push(...(await s.append([entry('steady', `n${i}`)])));
    await seen.until(30);
    expect(seen.got.map((e) => e.id)).toEqual(appended.map((e) => e.id));
    // The first entry after a quiet feed comes alone, at once; the rest are read together a window later
    // (30 appends would have to take over a second each for every one to come alone).
    expect(batches[0]).toBe(1);
    expect(batches.length).toBeLessThan(30);
  });

  it('cuts the wait between reads short for a read that needs the newest entries', async () => {
    // Without the cut, the read would give up waiting after feedWaitMs and stop short of the last entry.
    const s = await store({ readWindowMs: 1000, feedWaitMs: 50 });
    const seen = collect(s);
    await s.append([entry('cut', 'first')]);
    await seen.until(1);
    const [last] = await s.append([entry('cut', 'second')]);
    const read = await s.read({ patterns: [exact('cut')], after: null });
    expect(read.entries.map((e) => e.id)).toContain(last!.id);
    // ...and a store closed while it waits between reads closes at once.
    await s.close();
    expect(s.isReady()).toBe(false);
  });

  it('rejects appends after close', async () => {
    const s = await store();
    await s.close();
    await expect(s.append([entry('a', 'late')])).rejects.toMatchObject({ code: 'closed' });
    expect(s.isReady()).toBe(false);
  });
});

describe('RedisStore reads with a limit', () => {
  it('pages oldest first, keeps the newest with newest, and says what it left out', async () => {
    const s = await store();
    const writes = Array.from({ length: 30 }, (_, i) => entry(['a', 'b', 'c'][i % 3]!, String(i)));
    const stored = await s.append(writes);
    const all = [new ChannelPattern('logs:svc:ws:*')];
    const ids = (entries: StoredEntry[]) => entries.map((e) => e.id);

    const first = await s.read({ patterns: all, after: null, limit: 10 });
    expect(ids(first.entries)).toEqual(ids(stored.slice(0, 10)));
    expect(first.more).toBe(true);
    const second = await s.read({ patterns: all, after: first.entries.at(-1)!.id, limit: 10 });
    expect(ids(second.entries)).toEqual(ids(stored.slice(10, 20)));
    const last = await s.read({ patterns: all, after: stored[19]!.id, limit: 10 });
    expect(ids(last.entries)).toEqual(ids(stored.slice(20)));
    expect(last.more).toBe(false);

    const newest = await s.read({ patterns: all, after: null, limit: 4, newest: true });
    expect(ids(newest.entries)).toEqual(ids(stored.slice(26)));
    expect(newest.more).toBe(true);
    // Each channel is read no further back than the limit: what was read and dropped is counted.
    expect(newest.cut).toEqual(
      new Map([
        ['logs:svc:ws:a', 3],
        ['logs:svc:ws:b', 3],
        ['logs:svc:ws:c', 2],
      ]),
    );

    const tailPage = await s.read({ patterns: all, after: null, tail: 5, limit: 6 });
    expect(ids(tailPage.entries)).toEqual(ids(stored.slice(15, 21)));
    expect(tailPage.more).toBe(true);
  });
});
