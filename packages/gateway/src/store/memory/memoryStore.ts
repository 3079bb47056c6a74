import {
  type Cursor,
  CursorClock,
  compareCursors,
  type GapEvent,
  type NormalizedEntry,
} from '@logs-sse/protocol';
import { type ChannelPattern, channelSegments } from '../../patterns';
import { resetGaps } from '../epochGaps';
import type { LogStore, StoredEntry, StoreListener, StoreQuery, StoreReadResult, StoreStats } from '../store';
import { entryBytes, toStoredEntry } from '../storedEntry';
import { EvictingRing } from './evictingRing';

export interface MemoryStoreOptions {
  /** Entries kept per channel. */
  historyPerChannel: number;
  /** Entries older than this are dropped, in milliseconds. */
  historyTtlMs: number;
  /** Cap on the bytes of all kept entries; the oldest entries of any channel go first. */
  maxHistoryBytes: number;
  now: () => number;
}

/** Bytes a channel costs beyond its entries (its record, rings and map slot), counted in the byte cap. */
const CHANNEL_BYTES = 512;

/**
 * Channels whose whole history was dropped (by age or the memory cap) that the store still remembers, so
 * a reader resuming on one learns what it missed. The oldest record goes first past this many (a few
 * hundred bytes each).
 */
export const DROPPED_CHANNELS_KEPT = 10_000;

/** What a channel dropped: enough to tell a resuming reader that, and often how much, it missed. */
interface DropRecord {
  readonly segments: string[];
  /** Id of the channel's first entry since the store began. */
  readonly firstId: Cursor;
  evictedTotal: number;
  /** Id of the newest entry dropped. */
  lastEvicted: Cursor | undefined;
}

/** One channel's kept entries plus what it takes to tell a resuming reader how many it missed. */
interface ChannelLog extends DropRecord {
  readonly ring: EvictingRing<Kept>;
  /** Ids of the most recently evicted entries, to count exactly what a resume point missed. */
  readonly evictedIds: EvictingRing<Cursor>;
  /** The channel's newest `status` and `done` entries, kept while it has history, for new readers. */
  status?: StoredEntry;
  done?: StoredEntry;
}

/** The part `[start, end)` of a channel's ring that a read selects. */
interface ChannelRange {
  readonly channel: string;
  readonly ring: EvictingRing<Kept>;
  start: number;
  end: number;
}

interface Kept {
  readonly entry: StoredEntry;
  readonly log: ChannelLog;
  /** Set once evicted, so the global order can skip it. */
  gone: boolean;
}

/** History in process memory: a ring per channel, a TTL and a global byte cap. */
export class MemoryStore implements LogStore {
  private readonly channels = new Map<string, ChannelLog>();
  /** Channels that dropped every entry, oldest record first. */
  private readonly dropped = new Map<string, DropRecord>();
  private readonly clock: CursorClock;
  /** The cursor this history began after: every id it hands out is newer. */
  private readonly epochCursor: Cursor;
  private readonly listeners = new Set<StoreListener>();
  /**
   * Every kept entry in cursor order, so TTL and the byte cap evict oldest-first across channels. Entries
   * a channel ring pushed out stay here, marked gone, until a compaction drops them.
   */
  private order: Kept[] = [];
  private orderHead = 0;
  private bytes = 0;
  private entries = 0;
  private evicted = 0;

  constructor(private readonly options: MemoryStoreOptions) {
    this.clock = new CursorClock(options.now);
    // The millisecond before the store began: a process that restarts begins a newer epoch.
    this.epochCursor = `${Math.max(0, options.now() - 1)}-0`;
  }

  newestCursor(): string | null {
    return this.clock.last();
  }

  epoch(): Cursor {
    return this.epochCursor;
  }

  async latestState(
    patterns: readonly ChannelPattern[],
    upTo: Cursor,
    limit: number,
  ): Promise<StoredEntry[]> {
    this.expire(this.options.now());
    const state: StoredEntry[] = [];
    for (const [, log] of this.matchingChannels({ patterns })) {
      for (const entry of [log.status, log.done]) {
        if (entry !== undefined && compareCursors(entry.id, upTo) <= 0) state.push(entry);
      }
    }
    state.sort((a, b) => compareCursors(a.id, b.id));
    return state.length > limit ? state.slice(state.length - limit) : state;
  }

  async append(batch: readonly NormalizedEntry[]): Promise<StoredEntry[]> {
    const now = this.options.now();
    this.expire(now);
    // Even a clock that stepped back since the store began hands out ids newer than its epoch.
    if (this.clock.last() === null) this.clock.observe(this.epochCursor);
    const stored: StoredEntry[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const input = batch[i]!;
      const entry = toStoredEntry(input, this.clock.next(), now);
      stored[i] = entry;
      const log = this.channelLog(entry);
      if (entry.type !== 'log') log[entry.type] = entry;
      const kept: Kept = { entry, log, gone: false };
      const pushedOut = log.ring.push(kept);
      if (pushedOut) this.forget(pushedOut);
      this.order.push(kept);
      this.bytes += entryBytes(entry);
      this.entries++;
    }
    while (this.bytes > this.options.maxHistoryBytes && this.evictOldest()) {}
    this.compact();
    for (const listener of this.listeners) {
      try {
        listener(stored);
      } catch {
        // A faulty listener must not lose the entries for the publisher or for other listeners.
      }
    }
    return stored;
  }

  async read(query: StoreQuery): Promise<StoreReadResult> {
    this.expire(this.options.now());
    const { after, tail, upTo, limit } = query;
    const ranges: ChannelRange[] = [];
    const gaps: GapEvent[] = resetGaps(query.patterns, after, this.epochCursor);
    if (after !== null) {
      for (const [channel, record] of this.matchingDropped(query.patterns)) {
        const missed = missedAfter(record, undefined, after);
        if (missed > 0) gaps.push({ channel, missed, from: after, reason: 'dropped' });
      }
    }
    let total = 0;
    for (const [channel, log] of this.matchingChannels(query)) {
      const { ring } = log;
      let start = after === null ? 0 : ring.lowerBound((k) => compareCursors(k.entry.id, after) <= 0);
      const end =
        upTo === undefined ? ring.size : ring.lowerBound((k) => compareCursors(k.entry.id, upTo) <= 0);
      if (tail !== undefined) start = Math.max(start, end - tail);
      if (after !== null) {
        const missed = missedAfter(log, log.evictedIds, after);
        if (missed > 0) gaps.push({ channel, missed, from: after, reason: 'dropped' });
      }
      if (start < end) {
        ranges.push({ channel, ring, start, end });
        total += end - start;
      }
    }
    if (limit !== undefined && total > limit) {
      const entries = mergeRanges(ranges, limit, query.newest === true);
      const cut = new Map<string, number>();
      for (const range of ranges) {
        if (range.end > range.start) cut.set(range.channel, range.end - range.start);
      }
      return { entries, gaps, more: true, cut };
    }
    const entries: StoredEntry[] = [];
    for (const { ring, start, end } of ranges)
      for (let i = start; i < end; i++) entries.push(ring.at(i)!.entry);
    if (ranges.length > 1) entries.sort((a, b) => compareCursors(a.id, b.id));
    return { entries, gaps, more: false };
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isReady(): boolean {
    return true;
  }

  stats(): StoreStats {
    return { channels: this.channels.size, entries: this.entries, bytes: this.bytes, evicted: this.evicted };
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  private channelLog(entry: StoredEntry): ChannelLog {
    let log = this.channels.get(entry.channel);
    if (!log) {
      const capacity = this.options.historyPerChannel;
      // A channel that dropped everything before keeps counting from its first entry.
      const before = this.dropped.get(entry.channel);
      this.dropped.delete(entry.channel);
      log = {
        segments: before?.segments ?? channelSegments(entry.channel),
        ring: new EvictingRing(capacity),
        evictedIds: new EvictingRing(capacity),
        evictedTotal: before?.evictedTotal ?? 0,
        lastEvicted: before?.lastEvicted,
        firstId: before?.firstId ?? entry.id,
      };
      this.channels.set(entry.channel, log);
      this.bytes += CHANNEL_BYTES;
    }
    return log;
  }

  private matchingChannels(query: Pick<StoreQuery, 'patterns'>): Iterable<[string, ChannelLog]> {
    return matching(this.channels, query.patterns);
  }

  private matchingDropped(patterns: readonly ChannelPattern[]): Iterable<[string, DropRecord]> {
    return matching(this.dropped, patterns);
  }

  /** Drops entries past their TTL, oldest first. */
  private expire(now: number): void {
    const limit = now - this.options.historyTtlMs;
    while (this.orderHead < this.order.length) {
      const kept = this.order[this.orderHead]!;
      if (kept.gone) this.orderHead++;
      else if (kept.entry.storedAt < limit) this.evictOldest();
      else break;
    }
    this.compact();
  }

  /** Evicts the globally oldest kept entry; false when nothing is left. */
  private evictOldest(): boolean {
    while (this.orderHead < this.order.length) {
      const kept = this.order[this.orderHead]!;
      this.orderHead++;
      if (kept.gone) continue;
      // Not gone, so it is still its channel's oldest entry.
      kept.log.ring.shift();
      this.forget(kept);
      if (kept.log.ring.size === 0) {
        this.channels.delete(kept.entry.channel);
        this.bytes -= CHANNEL_BYTES;
        this.rememberDropped(kept.entry.channel, kept.log);
      }
      return true;
    }
    return false;
  }

  /** Keeps what a channel that lost its whole history dropped, without its entries or their ids. */
  private rememberDropped(channel: string, log: ChannelLog): void {
    const { segments, firstId, evictedTotal, lastEvicted } = log;
    this.dropped.set(channel, { segments, firstId, evictedTotal, lastEvicted });
    if (this.dropped.size > DROPPED_CHANNELS_KEPT) {
      this.dropped.delete(this.dropped.keys().next().value!);
    }
  }

  private forget(kept: Kept): void {
    const { entry, log } = kept;
    kept.gone = true;
    log.evictedIds.push(entry.id);
    log.evictedTotal++;
    log.lastEvicted = entry.id;
    this.bytes -= entryBytes(entry);
    this.entries--;
    this.evicted++;
  }

  /** Rebuilds the order once gone records outnumber kept ones: amortised O(1) per entry. */
  private compact(): void {
    const head = this.orderHead;
    const length = this.order.length - head;
    const manyGone = length >= 1024 && length >= this.entries * 2;
    const longPrefix = head >= 1024 && head * 2 >= this.order.length;
    if (!manyGone && !longPrefix) return;
    const order: Kept[] = [];
    for (let i = this.orderHead; i < this.order.length; i++) {
      const kept = this.order[i]!;
      if (!kept.gone) order.push(kept);
    }
    this.order = order;
    this.orderHead = 0;
  }
}

/** The records of `map` whose channel one of `patterns` matches, each once. */
function* matching<T extends { readonly segments: string[] }>(
  map: ReadonlyMap<string, T>,
  patterns: readonly ChannelPattern[],
): Iterable<[string, T]> {
  if (patterns.every((p) => p.isExact)) {
    const seen = new Set<string>();
    for (const { source } of patterns) {
      const record = map.get(source);
      if (record && !seen.has(source)) {
        seen.add(source);
        yield [source, record];
      }
    }
    return;
  }
  for (const [channel, record] of map) {
    if (patterns.some((p) => p.matchesSegments(record.segments))) yield [channel, record];
  }
}

/**
 * How many entries of a channel after `after` were dropped: exact while the ids of the drops are kept
 * (`ids`), at least 1 when only the newest dropped id is (a channel that dropped everything).
 */
function missedAfter(record: DropRecord, ids: EvictingRing<Cursor> | undefined, after: Cursor): number {
  if (record.evictedTotal === 0) return 0;
  if (compareCursors(after, record.firstId) < 0) return record.evictedTotal;
  const counted = ids ? ids.size - ids.lowerBound((id) => compareCursors(id, after) <= 0) : 0;
  if (counted > 0) return counted;
  return record.lastEvicted !== undefined && compareCursors(after, record.lastEvicted) < 0 ? 1 : 0;
}

/**
 * The `limit` oldest (or newest) entries of several channel ranges, oldest first: a merge that takes one
 * entry at a time from the range whose next entry comes first, kept in a binary heap. It costs
 * O(limit × log channels) whatever the ranges hold, where sorting everything would cost the whole history.
 */
function mergeRanges(ranges: ChannelRange[], limit: number, newest: boolean): StoredEntry[] {
  const head = (r: ChannelRange) => r.ring.at(newest ? r.end - 1 : r.start)!.entry.id;
  // Oldest-first merge puts the smallest cursor on top; newest-first the largest.
  const before = (a: ChannelRange, b: ChannelRange) => {
    const order = compareCursors(head(a), head(b));
    return newest ? order > 0 : order < 0;
  };
  // The heap shares the ranges: what is left of each after the merge is what the limit cut.
  const heap = ranges.slice();
  const siftDown = (from: number) => {
    let i = from;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let top = i;
      if (left < heap.length && before(heap[left]!, heap[top]!)) top = left;
      if (right < heap.length && before(heap[right]!, heap[top]!)) top = right;
      if (top === i) return;
      [heap[i], heap[top]] = [heap[top]!, heap[i]!];
      i = top;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i);
  const entries: StoredEntry[] = [];
  while (entries.length < limit && heap.length > 0) {
    const range = heap[0]!;
    entries.push(range.ring.at(newest ? --range.end : range.start++)!.entry);
    if (range.start === range.end) {
      heap[0] = heap[heap.length - 1]!;
      heap.pop();
    }
    siftDown(0);
  }
  if (newest) entries.reverse();
  return entries;
}
