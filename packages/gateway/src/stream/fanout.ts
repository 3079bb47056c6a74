import { compareCursors } from '@logs-sse/protocol';
import type { GatewayLogger } from '../logger';
import type { Metrics } from '../metrics';
import type { StoredEntry } from '../store/store';
import type { Subscriber } from './subscriber';
import { SubscriptionIndex } from './subscriptionIndex';

export interface FanoutOptions {
  maxBufferedBytes: number;
  metrics: Metrics;
  logger: GatewayLogger;
}

/**
 * Routes stored entries to open streams. Each entry's frame was encoded once when stored; here it is only
 * queued by reference, and every dirty stream gets a single write per tick. A stream whose unsent bytes
 * pass `maxBufferedBytes` is cut off, so a stalled reader costs bounded memory and never slows publishers.
 */
export class Fanout {
  readonly subscribers = new Set<Subscriber>();
  /** Streams by the channels and patterns they asked for. */
  readonly index = new SubscriptionIndex<Subscriber>();
  /** The index's answer for the current channel, reused from entry to entry and call to call. */
  private readonly matched: Set<Subscriber>[] = [];
  private readonly dirty = new Set<Subscriber>();
  private flushScheduled = false;

  constructor(private readonly options: FanoutOptions) {}

  add(sub: Subscriber): void {
    this.subscribers.add(sub);
    for (const pattern of sub.patterns) this.index.add(pattern, sub);
  }

  remove(sub: Subscriber): void {
    if (!this.subscribers.delete(sub)) return;
    sub.closed = true;
    this.dirty.delete(sub);
    for (const pattern of sub.patterns) this.index.delete(pattern, sub);
  }

  /**
   * Store listener: offers each new entry to every stream whose channels or patterns match its channel.
   * The cost per entry is the index lookup plus the matching streams, whatever else streams hold.
   */
  deliver(entries: readonly StoredEntry[]): void {
    const matched = this.matched;
    let channel: string | undefined;
    let count = 0;
    for (const entry of entries) {
      // A batch is mostly runs of one channel: the index is asked once per run. Sets are live, so a
      // stream dropped while this batch is offered is no longer in them.
      if (entry.channel !== channel) {
        channel = entry.channel;
        count = this.index.match(channel, matched);
      }
      for (let i = 0; i < count; i++) for (const sub of matched[i]!) this.offer(sub, entry);
    }
    // Not holding on to sets the index may drop before the next call.
    for (let i = 0; i < matched.length; i++) matched[i] = NO_SUBSCRIBERS;
  }

  /** Queues raw bytes (a heartbeat) for every stream that is live. */
  broadcast(frame: Buffer): void {
    for (const sub of this.subscribers) if (!sub.replaying) this.queue(sub, frame, 0);
  }

  /** Ends replay for `sub`: held live entries newer than what was replayed go out in order. */
  goLive(sub: Subscriber, replayedUpTo: string | null): void {
    const held = sub.held;
    sub.held = [];
    sub.heldBytes = 0;
    sub.replaying = false;
    for (const entry of held) {
      if (replayedUpTo !== null && compareCursors(entry.id, replayedUpTo) <= 0) continue;
      this.queue(sub, entry.frame, 1);
    }
  }

  /** Bytes all streams hold unsent: socket buffers, this tick's queues and entries held during replay. */
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
    sub.res.destroy();
  }

  private offer(sub: Subscriber, entry: StoredEntry): void {
    if (sub.lastOffered === entry.id) return;
    sub.lastOffered = entry.id;
    if (!sub.accepts(entry)) return;
    if (sub.replaying) {
      sub.held.push(entry);
      sub.heldBytes += entry.frame.length;
      if (sub.backlogBytes() > this.options.maxBufferedBytes) this.dropSlow(sub);
      return;
    }
    this.queue(sub, entry.frame, 1);
  }

  private queue(sub: Subscriber, frame: Buffer, entries: number): void {
    if (sub.backlogBytes() > this.options.maxBufferedBytes) {
      this.dropSlow(sub);
      return;
    }
    sub.pending.push(frame);
    sub.pendingBytes += frame.length;
    sub.pendingEntries += entries;
    this.dirty.add(sub);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  /**
   * One write per dirty stream: all frames queued since the last flush, joined. Streams on the same channels
   * queue the very same frames, so the joined buffer of the previous stream is reused when its frames match:
   * 1,000 subscribers of one channel cost one copy, not 1,000.
   */
  readonly flush = (): void => {
    this.flushScheduled = false;
    const metrics = this.options.metrics;
    let lastFrames: Buffer[] = [];
    let lastJoined: Buffer | undefined;
    for (const sub of this.dirty) {
      const { pending, pendingBytes } = sub;
      metrics.logsOut += sub.pendingEntries;
      sub.pending = [];
      sub.pendingBytes = 0;
      sub.pendingEntries = 0;
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
    this.dirty.clear();
  };
}

const NO_SUBSCRIBERS: Set<Subscriber> = new Set();

/** Whether two queues hold the same frames (by reference) in the same order. */
function sameFrames(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
