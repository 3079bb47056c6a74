import { compareCursors } from '@logs-sse/protocol';
import type { GatewayLogger } from '../logger';
import type { Metrics } from '../metrics';
import type { StoredEntry } from '../store/store';
import { FlushSchedule } from './flushSchedule';
import type { Subscriber } from './subscriber';
import { SubscriptionIndex } from './subscriptionIndex';

export interface FanoutOptions {
  maxBufferedBytes: number;
  /** See `GatewayOptions.flushWindowMs`. */
  flushWindowMs: number;
  /** Monotonic milliseconds, for the flush window. */
  now: () => number;
  metrics: Metrics;
  logger: GatewayLogger;
}

/**
 * Routes stored entries to open streams. Each entry's frame was encoded once when stored; here it is only
 * queued by reference, and a stream gets at most one write per tick; under steady traffic one per flush
 * window (see `FlushSchedule`). A stream whose unsent bytes pass `maxBufferedBytes` is cut off, so a
 * stalled reader costs bounded memory and never slows publishers.
 */
export class Fanout {
  readonly subscribers = new Set<Subscriber>();
  /** Streams by the channels and patterns they asked for. */
  readonly index = new SubscriptionIndex<Subscriber>();
  /** The index's answer for the current channel, reused from entry to entry and call to call. */
  private readonly matched: Set<Subscriber>[] = [];
  private readonly schedule: FlushSchedule;

  constructor(private readonly options: FanoutOptions) {
    this.schedule = new FlushSchedule({
      windowMs: options.flushWindowMs,
      // Past this, a write is large enough that waiting saves little, and queued bytes stay bounded.
      flushAtBytes: Math.min(FLUSH_AT_BYTES, options.maxBufferedBytes),
      writesPerTurn: WRITES_PER_TURN,
      now: options.now,
      write: this.write,
    });
  }

  add(sub: Subscriber): void {
    this.subscribers.add(sub);
    // Streams of one channel keep one parsed pattern between them, not one each.
    sub.patterns = sub.patterns.map((pattern) => this.index.add(pattern, sub));
  }

  remove(sub: Subscriber): void {
    if (!this.subscribers.delete(sub)) return;
    sub.closed = true;
    this.schedule.delete(sub);
    for (const pattern of sub.patterns) this.index.delete(pattern, sub);
  }

  /**
   * Store listener: offers each new entry to every stream whose channels or patterns match its channel.
   * The cost per entry is the index lookup plus the matching streams, whatever else streams hold.
   */
  deliver(entries: readonly StoredEntry[]): void {
    const matched = this.matched;
    const now = this.options.now();
    let channel: string | undefined;
    let count = 0;
    for (const entry of entries) {
      // A batch is mostly runs of one channel: the index is asked once per run. Sets are live, so a
      // stream dropped while this batch is offered is no longer in them.
      if (entry.channel !== channel) {
        channel = entry.channel;
        count = this.index.match(channel, matched);
      }
      for (let i = 0; i < count; i++) for (const sub of matched[i]!) this.offer(sub, entry, now);
    }
    // Not holding on to sets the index may drop before the next call.
    for (let i = 0; i < matched.length; i++) matched[i] = NO_SUBSCRIBERS;
  }

  /** Queues raw bytes (a heartbeat) for every stream that is live. */
  broadcast(frame: Buffer): void {
    const now = this.options.now();
    for (const sub of this.subscribers) if (!sub.replaying) this.queue(sub, frame, 0, now);
  }

  /** Writes every queued frame now, windows or not: the gateway is shutting down. */
  flushAll(): void {
    this.schedule.flushAll();
  }

  /** Ends replay for `sub`: held live entries newer than what was replayed go out in order. */
  goLive(sub: Subscriber, replayedUpTo: string | null): void {
    const held = sub.held;
    sub.held = [];
    sub.heldBytes = 0;
    sub.replaying = false;
    const now = this.options.now();
    for (const entry of held) {
      if (replayedUpTo !== null && compareCursors(entry.id, replayedUpTo) <= 0) continue;
      this.queue(sub, entry.frame, 1, now);
    }
  }

  /** Bytes all streams hold unsent: socket buffers, queues waiting for a flush, entries held during replay. */
  bufferedBytes(): number {
    let total = 0;
    for (const sub of this.subscribers) total += sub.backlogBytes() + sub.pendingBytes;
    return total;
  }

  /** Subscriptions by channel or pattern, for the stats endpoint. */
  subscriptionCounts(): Record<string, number> {
    return this.index.counts();
  }

  /** Cuts off a stream that cannot keep up; its client resumes from its last cursor. */
  dropSlow(sub: Subscriber): void {
    if (sub.closed) return;
    this.options.metrics.slowDisconnects++;
    this.options.logger.warn(
      { connectionId: sub.id, buffered: sub.backlogBytes() },
      'slow subscriber dropped',
    );
    this.remove(sub);
    sub.pending = [];
    sub.pendingBytes = 0;
    sub.pendingEntries = 0;
    sub.res.destroy();
  }

  private offer(sub: Subscriber, entry: StoredEntry, now: number): void {
    if (sub.lastOffered === entry.id) return;
    sub.lastOffered = entry.id;
    if (!sub.accepts(entry)) return;
    if (sub.replaying) {
      sub.held.push(entry);
      sub.heldBytes += entry.frame.length;
      if (sub.backlogBytes() > this.options.maxBufferedBytes) this.dropSlow(sub);
      return;
    }
    this.queue(sub, entry.frame, 1, now);
  }

  private queue(sub: Subscriber, frame: Buffer, entries: number, now: number): void {
    if (sub.backlogBytes() > this.options.maxBufferedBytes) {
      this.dropSlow(sub);
      return;
    }
    sub.pending.push(frame);
    sub.pendingBytes += frame.length;
    sub.pendingEntries += entries;
    if (sub.pending.length === 1) this.schedule.add(sub, now);
    else this.schedule.grew(sub);
  }

  /**
   * One write per stream that is due: all frames queued since its last write, joined. Streams on the same
   * channels queue the very same frames, so the joined buffer of the previous stream is reused when its
   * frames match: 1,000 subscribers of one channel cost one copy, not 1,000.
   */
  private readonly write = (subs: Set<Subscriber>, now: number): void => {
    const metrics = this.options.metrics;
    let lastFrames: Buffer[] = [];
    let lastJoined: Buffer | undefined;
    for (const sub of subs) {
      const { pending, pendingBytes } = sub;
      if (pending.length === 0) continue;
      metrics.logsOut += sub.pendingEntries;
      sub.pending = [];
      sub.pendingBytes = 0;
      sub.pendingEntries = 0;
      sub.lastWriteAt = now;
      if (pending.length === 1) {
        sub.res.write(pending[0]!);
        continue;
      }
      if (lastJoined === undefined || !sameFrames(pending, lastFrames)) {
        lastJoined = Buffer.concat(pending, pendingBytes);
        lastFrames = pending;
      }
      sub.res.write(lastJoined);
    }
  };
}

const NO_SUBSCRIBERS: Set<Subscriber> = new Set();
/** 16 KiB: about ninety log frames in one write, whose cost per entry no longer falls with more. */
const FLUSH_AT_BYTES = 16 * 1024;
/** 12 to 25 ms of writes on the machines measured (docs/benchmarks.md), then other work gets its turn. */
const WRITES_PER_TURN = 1000;

/** Whether two queues hold the same frames (by reference) in the same order. */
function sameFrames(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
