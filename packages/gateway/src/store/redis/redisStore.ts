import { type Cursor, compareCursors, type GapEvent, type NormalizedEntry } from '@logs-sse/protocol';
import { Redis } from 'ioredis';
import type { ChannelPattern } from '../../patterns';
import { resetGaps } from '../epochGaps';
import type {
  AppendOnce,
  AppendOnceResult,
  LogStore,
  StoredEntry,
  StoreListener,
  StoreQuery,
  StoreReadResult,
} from '../store';
import {
  entryFromBody,
  entryFromFields,
  entryFromState,
  parseStreamInfo,
  type RawStreamEntry,
} from './redisEntry';
import { RedisFeed } from './redisFeed';
import { gapOf } from './redisGap';
import { parseRecord, recordOf } from './redisRecord';
import { APPEND_SCRIPT, FIXED_KEYS, GONE_CHANNELS_KEPT, type RedisKeys, redisKeys } from './redisScript';
import type { RedisStoreStats } from './redisSide';
import { RedisStats } from './redisStats';
import { RedisStoreError } from './redisStoreError';
import {
  type RedisStoreOptions,
  type ResolvedRedisStoreOptions,
  resolveRedisStoreOptions,
} from './redisStoreOptions';

/** `stats()` of a Redis store: the common figures, deployment-wide, plus the health of the Redis side. */
type AppendCommand = (
  numKeys: number,
  ...args: (string | number)[]
) => Promise<[ms: string, firstSeq: number, epoch: string] | ['replay', string]>;

/** Newer than any cursor: the epoch of a history that was flushed and not written since. */
const FLUSHED = '999999999999999-999999999999999';

/**
 * History in Redis, shared by several gateways: one stream per channel (`{prefix}:ch:{channel}`, capped
 * and expiring), ids from one Lua script so cursors are ordered across the whole deployment, and one
 * shared feed stream that every gateway reads for live entries.
 *
 * @example
 * const store = new RedisStore({ url: 'redis://redis:6379' });
 * const gateway = createGateway({ store });
 * await gateway.listen({ port: 3002 });
 * // on shutdown: await gateway.close(); await store.close();
 */
export class RedisStore implements LogStore {
  private readonly options: ResolvedRedisStoreOptions;
  private readonly keys: RedisKeys;
  private readonly redis: Redis;
  private readonly feed: RedisFeed;
  private readonly side: RedisStats;
  private readonly listeners = new Set<StoreListener>();
  /** Newest id this gateway appended or received: the floor for new ids if Redis lost its clock. */
  private highWater: Cursor = '0-0';
  /** The deployment's epoch as last seen (appends, reads, `ready()`); `null` before any. */
  private knownEpoch: Cursor | null = null;
  private closed = false;

  constructor(options: RedisStoreOptions = {}) {
    this.options = resolveRedisStoreOptions(options);
    const o = this.options;
    this.keys = redisKeys(o.prefix);
    const retryStrategy = (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000);
    this.redis = new Redis(o.url, {
      ...o.redisOptions,
      // A Redis that is down must fail writes at once, never queue them nor replay one whose answer was
      // lost: the publisher retries on 503, and a replay here could store a batch twice.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: o.commandTimeoutMs,
      retryStrategy,
      lazyConnect: false,
      // Shown by CLIENT LIST, so an operator can tell the gateways' connections apart.
      connectionName: o.redisOptions.connectionName ?? `${o.prefix}:commands`,
    });
    this.redis.defineCommand('logsSseAppend', { lua: APPEND_SCRIPT });
    const reader = this.redis.duplicate({
      commandTimeout: undefined,
      enableOfflineQueue: true,
      connectionName: o.redisOptions.connectionName ?? `${o.prefix}:feed`,
    });
    this.side = new RedisStats(this.redis, reader, this.keys, o.logger, o.statsIntervalMs);
    this.feed = new RedisFeed({
      connection: reader,
      keys: this.keys,
      blockMs: o.blockMs,
      windowMs: o.readWindowMs,
      batch: 1000,
      now: o.now,
      logger: o.logger,
      deliver: (entries) => this.deliver(entries),
      catchUp: (after, upTo) => this.catchUp(after, upTo),
    });
    this.feed.start();
  }

  /** Resolves once both connections are up and the feed knows where to start, e.g. before listening. */
  async ready(): Promise<void> {
    await this.feed.positioned;
    while (!this.isReady()) {
      if (this.closed) throw new RedisStoreError('closed', 'this store was closed; create a new one');
      await this.side.nextChange();
    }
    this.knownEpoch = (await this.redis.get(this.keys.epoch).catch(() => null)) ?? this.knownEpoch;
  }

  epoch(): Cursor | null {
    return this.knownEpoch;
  }

  async append(batch: readonly NormalizedEntry[]): Promise<StoredEntry[]> {
    const result = await this.appendWith(batch, undefined);
    return 'stored' in result ? result.stored : [];
  }

  /** Stores the entries and the idempotency record in one script run, unless the record exists. */
  appendOnce(batch: readonly NormalizedEntry[], once: AppendOnce): Promise<AppendOnceResult> {
    return this.appendWith(batch, once);
  }

  private async appendWith(
    batch: readonly NormalizedEntry[],
    once: AppendOnce | undefined,
  ): Promise<AppendOnceResult> {
    if (this.closed) throw new RedisStoreError('closed', 'this store was closed; create a new one');
    if (batch.length === 0) return { stored: [] };
    const o = this.options;
    const channelIndex = new Map<string, number>();
    const keys = [
      this.keys.clock,
      this.keys.channels,
      this.keys.feed,
      this.keys.first,
      this.keys.length,
      this.keys.stats,
      this.keys.cut,
      this.keys.epoch,
      this.keys.last,
      this.keys.gone,
      this.keys.state,
      this.keys.idempotencyPrefix + (once?.scope ?? ''),
    ];
    const bodies: string[] = new Array(batch.length);
    const args: (string | number)[] = [
      o.historyPerChannel,
      o.historyTtlSeconds,
      o.feedLength,
      this.floor(),
      batch.length,
      once === undefined ? 0 : Math.max(1, Math.ceil(once.windowMs)),
      once === undefined ? '' : recordOf(once),
      GONE_CHANNELS_KEPT,
    ];
    for (let i = 0; i < batch.length; i++) {
      const entry = batch[i]!;
      let index = channelIndex.get(entry.channel);
      if (index === undefined) {
        keys.push(this.keys.channelPrefix + entry.channel);
        index = keys.length - FIXED_KEYS;
        channelIndex.set(entry.channel, index);
      }
      const body = JSON.stringify(entry.body);
      bodies[i] = body;
      args.push(index, entry.channel, entry.type, body);
    }
    let reply: Awaited<ReturnType<AppendCommand>>;
    try {
      const command = (this.redis as unknown as { logsSseAppend: AppendCommand }).logsSseAppend;
      reply = await command.call(this.redis, keys.length, ...keys, ...args);
    } catch (error) {
      this.side.writeErrors++;
      throw new RedisStoreError('unavailable', `Redis did not take the entries: ${String(error)}`, {
        cause: error,
      });
    }
    if (reply[0] === 'replay') {
      const record = parseRecord(String(reply[1]));
      if (record) return record;
      throw new RedisStoreError('unavailable', 'an idempotency record in Redis is unreadable');
    }
    const [ms, firstSeq, epoch] = reply as [string, number, string];
    const first = Number(firstSeq);
    this.knownEpoch = epoch;
    const now = o.now();
    const stored: StoredEntry[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      stored[i] = entryFromBody(batch[i]!, bodies[i]!, `${ms}-${first + i}`, now);
    }
    this.raise(stored[stored.length - 1]!.id);
    return { stored };
  }

  async latestState(
    patterns: readonly ChannelPattern[],
    upTo: Cursor,
    limit: number,
  ): Promise<StoredEntry[]> {
    const channels = await this.matchingChannels(patterns, false);
    if (channels.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const channel of channels) {
      pipeline.exists(this.keys.channelPrefix + channel);
      pipeline.hmget(this.keys.state, `status:${channel}`, `done:${channel}`);
    }
    const replies = await this.exec(pipeline);
    const now = this.options.now();
    const state: StoredEntry[] = [];
    channels.forEach((channel, i) => {
      const [existsError, exists] = replies[2 * i]!;
      const [stateError, values] = replies[2 * i + 1]!;
      if (existsError || stateError) throw unavailable(existsError ?? stateError);
      // Kept as long as the channel has history: an expired stream takes its state with it.
      if (exists !== 1) return;
      const [status, done] = values as (string | null)[];
      for (const [type, value] of [
        ['status', status],
        ['done', done],
      ] as const) {
        const entry = value == null ? undefined : entryFromState(value, channel, type, now);
        if (entry && compareCursors(entry.id, upTo) <= 0) state.push(entry);
      }
    });
    state.sort((a, b) => compareCursors(a.id, b.id));
    return state.length > limit ? state.slice(state.length - limit) : state;
  }

  async read(query: StoreQuery): Promise<StoreReadResult> {
    const { after, tail, limit } = query;
    const newestFirst = query.newest === true && limit !== undefined;
    // Reads stop at what the feed has delivered here, so an entry is never replayed and then sent live
    // again; first the feed catches up with the newest id, so a read still sees every acknowledged write.
    const [newest = null, epoch = null] = await this.redis
      .mget(this.keys.clock, this.keys.epoch)
      .catch((error: unknown) => {
        throw unavailable(error);
      });
    // No clock and no epoch where there was one: the history was flushed, every older cursor is gone.
    const reset = epoch ?? (newest === null && this.knownEpoch !== null ? FLUSHED : null);
    if (epoch !== null) this.knownEpoch = epoch;
    const gaps: GapEvent[] = resetGaps(query.patterns, after, reset);
    // Channels whose whole history expired still report their gaps.
    const channels = await this.matchingChannels(query.patterns, after !== null);
    if (channels.length === 0) return { entries: [], gaps, more: false };
    if (newest !== null) await this.reach(newest);
    const delivered = this.feed.lastId;
    if (delivered === undefined) {
      throw new RedisStoreError('unavailable', 'the Redis store is not connected yet');
    }
    const upTo =
      query.upTo !== undefined && compareCursors(query.upTo, delivered) < 0 ? query.upTo : delivered;

    const pipeline = this.redis.pipeline();
    for (const channel of channels) {
      const key = this.keys.channelPrefix + channel;
      if (after !== null) {
        pipeline.xinfo('STREAM', key);
        pipeline.hget(this.keys.first, channel);
        pipeline.hget(this.keys.cut, channel);
        pipeline.hget(this.keys.last, channel);
      }
      const from = after === null ? '-' : `(${after}`;
      // No channel needs more than `limit` entries of its own: the merged read keeps at most that many.
      if (tail !== undefined || newestFirst) {
        pipeline.xrevrange(
          key,
          upTo,
          from,
          'COUNT',
          Math.min(tail ?? Infinity, newestFirst ? limit : Infinity),
        );
      } else if (limit !== undefined) pipeline.xrange(key, from, upTo, 'COUNT', limit);
      else pipeline.xrange(key, from, upTo);
    }
    const replies = await this.exec(pipeline);
    const now = this.options.now();
    const entries: StoredEntry[] = [];
    let sources = 0;
    let more = false;
    let at = 0;
    for (const channel of channels) {
      if (after !== null) {
        const [infoError, info] = replies[at++]!;
        const [, first] = replies[at++]!;
        const [, cut] = replies[at++]!;
        const [, last] = replies[at++]!;
        // A stream that expired (XINFO fails on a missing key) dropped everything up to its last entry.
        const dropped = infoError && typeof last === 'string' ? laterCursor(cut as string | null, last) : cut;
        if (typeof dropped === 'string') {
          const stream = parseStreamInfo(infoError ? undefined : info);
          const gap = gapOf(channel, after, stream, first as string | null, dropped);
          if (gap) gaps.push(gap);
        }
      }
      const [rangeError, range] = replies[at++]!;
      if (rangeError) throw unavailable(rangeError);
      // XREVRANGE ... COUNT 0 answers nil, not an empty list.
      const raw = (range ?? []) as RawStreamEntry[];
      if (raw.length > 0) sources++;
      // A channel cut at `limit` by COUNT may hold more than this read returns.
      if (limit !== undefined && tail === undefined && !newestFirst && raw.length >= limit) more = true;
      const from = entries.length;
      for (const item of raw) {
        const entry = entryFromFields(item, channel, now);
        if (entry) entries.push(entry);
      }
      if (tail !== undefined) reverseFrom(entries, from);
    }
    if (sources > 1) entries.sort((a, b) => compareCursors(a.id, b.id));
    if (limit !== undefined && entries.length > limit) {
      more = true;
      const dropped = entries.splice(query.newest ? 0 : limit, entries.length - limit);
      const cut = new Map<string, number>();
      for (const entry of dropped) cut.set(entry.channel, (cut.get(entry.channel) ?? 0) + 1);
      return { entries, gaps, more, cut };
    }
    return { entries, gaps, more };
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Waits for the feed to deliver what the clock says is stored; a Redis that is down ends the wait. */
  async caughtUp(): Promise<void> {
    const newest = await this.redis.get(this.keys.clock).catch(() => null);
    if (newest !== null) await this.reach(newest);
  }

  /** The feed's position: every entry newer than this still reaches this gateway's listeners. */
  newestCursor(): Cursor | null {
    const id = this.feed.lastId;
    return id === undefined || id === '0-0' ? null : id;
  }

  isReady(): boolean {
    return !this.closed && this.side.connected() && this.feed.lastId !== undefined;
  }

  /**
   * Calls `listener` with the new value of `isReady()` each time it changes (Redis lost or back), e.g. to
   * log outages or flip a health check; returns the unsubscribe.
   */
  onReadyChange(listener: (ready: boolean) => void): () => void {
    let last = this.isReady();
    const check = () => {
      const now = this.isReady();
      if (now === last) return;
      last = now;
      listener(now);
    };
    this.side.onChange.add(check);
    return () => this.side.onChange.delete(check);
  }

  /** Figures as of the last refresh (every `statsIntervalMs`); the Redis side counters are live. */
  stats(): RedisStoreStats {
    return this.side.snapshot(this.feed);
  }

  /** Reads the deployment-wide figures from Redis now, e.g. right before a metrics scrape. */
  refreshStats(): Promise<void> {
    return this.side.refresh();
  }

  /** Stops reading the feed and closes both connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.side.onChange.clear();
    this.side.close();
    await this.feed.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private deliver(entries: StoredEntry[]): void {
    this.raise(entries[entries.length - 1]!.id);
    for (const listener of this.listeners) {
      try {
        listener(entries);
      } catch (error) {
        // One faulty listener must not keep entries from the others.
        this.options.logger.error({ err: error }, 'store listener failed');
      }
    }
  }

  /**
   * Every channel written in `(after, upTo]`, read from its own stream: the feed lost these entries.
   * Channels are paged through (`maxChannelsPerRead` a page) so that none written meanwhile is skipped.
   */
  private async catchUp(after: Cursor, upTo: Cursor): Promise<StoredEntry[]> {
    const since = after.slice(0, after.indexOf('-'));
    const page = this.options.maxChannelsPerRead;
    const entries: StoredEntry[] = [];
    for (let offset = 0; ; offset += page) {
      const channels = (await this.redis.zrangebyscore(
        this.keys.channels,
        since,
        '+inf',
        'LIMIT',
        offset,
        page,
      )) as string[];
      if (channels.length === 0) break;
      const pipeline = this.redis.pipeline();
      for (const channel of channels) pipeline.xrange(this.keys.channelPrefix + channel, `(${after}`, upTo);
      const replies = await this.exec(pipeline);
      const now = this.options.now();
      replies.forEach(([error, range], i) => {
        if (error) throw unavailable(error);
        for (const item of range as RawStreamEntry[]) {
          const entry = entryFromFields(item, channels[i], now);
          if (entry) entries.push(entry);
        }
      });
      if (channels.length < page) break;
    }
    return entries.sort((a, b) => compareCursors(a.id, b.id));
  }

  /**
   * Concrete channels for the patterns: exact names as given, wildcards by `ZSCAN MATCH`, never `KEYS`;
   * with `gone`, also the channels whose whole history expired.
   */
  private async matchingChannels(patterns: readonly ChannelPattern[], gone: boolean): Promise<string[]> {
    const found = new Set<string>();
    const limit = this.options.maxChannelsPerRead;
    for (const pattern of patterns) {
      if (pattern.isExact) {
        found.add(pattern.source);
        continue;
      }
      for (const set of gone ? [this.keys.channels, this.keys.gone] : [this.keys.channels]) {
        // Segments hold none of the glob's special characters, so the pattern is its own glob.
        let cursor = '0';
        do {
          const [next, items] = await this.redis
            .zscan(set, cursor, 'MATCH', pattern.source, 'COUNT', 500)
            .catch((error: unknown) => Promise.reject(unavailable(error)));
          for (let i = 0; i < items.length; i += 2) found.add(items[i]!);
          cursor = next;
        } while (cursor !== '0' && found.size < limit);
      }
    }
    const channels = [...found];
    if (channels.length > limit) {
      this.options.logger.warn({ channels: channels.length, limit }, 'read limited to maxChannelsPerRead');
      channels.length = limit;
    }
    return channels;
  }

  private async exec(pipeline: ReturnType<Redis['pipeline']>): Promise<[Error | null, unknown][]> {
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await pipeline.exec();
    } catch (error) {
      throw unavailable(error);
    }
    if (!replies) throw new RedisStoreError('unavailable', 'the Redis connection closed during a read');
    return replies;
  }

  /** Resolves once the feed has delivered `id`, or after `feedWaitMs`; it cuts the feed's window short. */
  private async reach(id: Cursor): Promise<void> {
    const delivered = this.feed.lastId;
    if (delivered === undefined || compareCursors(id, delivered) > 0) {
      await this.feed.waitFor(id, this.options.feedWaitMs);
    }
  }

  private floor(): Cursor {
    const seen = this.feed.lastId;
    return seen !== undefined && compareCursors(seen, this.highWater) > 0 ? seen : this.highWater;
  }

  private raise(id: Cursor): void {
    if (compareCursors(id, this.highWater) > 0) this.highWater = id;
  }
}

function reverseFrom(entries: StoredEntry[], from: number): void {
  for (let i = from, j = entries.length - 1; i < j; i++, j--) {
    const swap = entries[i]!;
    entries[i] = entries[j]!;
    entries[j] = swap;
  }
}

function laterCursor(a: Cursor | null, b: Cursor): Cursor {
  return a !== null && compareCursors(a, b) >= 0 ? a : b;
}

function unavailable(error: unknown): RedisStoreError {
  if (error instanceof RedisStoreError) return error;
  return new RedisStoreError('unavailable', `Redis read failed: ${String(error)}`, { cause: error });
}
