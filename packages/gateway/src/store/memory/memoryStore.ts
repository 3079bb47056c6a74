import {
  type Cursor,
  CursorClock,
  compareCursors,
  type GapEvent,
  type NormalizedEntry,
} from '@logs-sse/protocol';
import { channelSegments } from '../../patterns';
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

/** One channel's kept entries plus what it takes to tell a resuming reader how many it missed. */
interface ChannelLog {
  readonly segments: string[];
  readonly ring: EvictingRing<Kept>;
  /** Ids of the most recently evicted entries, to count exactly what a resume point missed. */
  readonly evictedIds: EvictingRing<Cursor>;
  evictedTotal: number;
  readonly firstId: Cursor;
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
  private readonly clock: CursorClock;
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
  }

  newestCursor(): string | null {
    return this.clock.last();
  }

  async append(batch: readonly NormalizedEntry[]): Promise<StoredEntry[]> {
    const now = this.options.now();
    this.expire(now);
    const stored: StoredEntry[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const input = batch[i]!;
      const entry = toStoredEntry(input, this.clock.next(), now);
      stored[i] = entry;
      const log = this.channelLog(entry);
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
    const gaps: GapEvent[] = [];
    let total = 0;
    for (const [channel, log] of this.matchingChannels(query)) {
      const { ring } = log;
      let start = after === null ? 0 : ring.lowerBound((k) => compareCursors(k.entry.id, after) <= 0);
      const end =
        upTo === undefined ? ring.size : ring.lowerBound((k) => compareCursors(k.entry.id, upTo) <= 0);
      if (tail !== undefined) start = Math.max(start, end - tail);
      if (after !== null) {
        const missed = this.missedAfter(log, after);
        if (missed > 0) gaps.push({ channel, missed, from: after });
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
      log = {
        segments: channelSegments(entry.channel),
        ring: new EvictingRing(capacity),
        evictedIds: new EvictingRing(capacity),
        evictedTotal: 0,
        firstId: entry.id,
      };
      this.channels.set(entry.channel, log);
      this.bytes += CHANNEL_BYTES;
    }
    return log;
  }

  private *matchingChannels(query: StoreQuery): Iterable<[string, ChannelLog]> {
    if (query.patterns.every((p) => p.isExact)) {
      const seen = new Set<string>();
      for (const { source } of query.patterns) {
        const log = this.channels.get(source);
        if (log && !seen.has(source)) {
          seen.add(source);
          yield [source, log];
        }
      }
      return;
    }
    for (const [channel, log] of this.channels) {
      if (query.patterns.some((p) => p.matchesSegments(log.segments))) yield [channel, log];
    }
  }

  private missedAfter(log: ChannelLog, after: Cursor): number {
    if (log.evictedTotal === 0) return 0;
    if (compareCursors(after, log.firstId) < 0) return log.evictedTotal;
    const ids = log.evictedIds;
    return ids.size - ids.lowerBound((id) => compareCursors(id, after) <= 0);
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
      }
      return true;
    }
    return false;
  }

  private forget(kept: Kept): void {
    const { entry, log } = kept;
    kept.gone = true;
    log.evictedIds.push(entry.id);
    log.evictedTotal++;
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
