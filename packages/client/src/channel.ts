import { type Cursor, compareCursors, LOG_LEVELS, type LogEntry } from '@logs-sse/protocol';
import type { SubscribeOptions } from './options';
import { RingBuffer } from './ringBuffer';

/** One `subscribe` call. */
export interface Subscriber {
  readonly options: SubscribeOptions;
  /** Rank of `options.level`, or 0 when the subscriber takes every level. */
  readonly minRank: number;
}

/**
 * Everything the client holds for one subscribed channel or pattern: the subscribers that share it,
 * its ring buffer, and the log entries of the network chunk being read, delivered together by `flush`.
 */
export class Channel {
  refs = 0;
  /** Replaced, never mutated, so that a callback may unsubscribe while the list is being walked. */
  subscribers: readonly Subscriber[] = [];
  readonly buffer: RingBuffer<LogEntry>;
  /** Log entries of the current chunk (or, while `holding`, of every chunk), not yet in the buffer. */
  pending: LogEntry[] = [];
  /** Whether the channel is listed in the client's set of channels to flush. */
  queued = false;
  /** While its history is awaited, the channel's entries wait in `pending`. */
  holding: boolean;
  /** Whether the history request is out. */
  loading = false;
  /** Whether a connection has carried this channel yet (a new one may need its history loaded). */
  joined = false;
  /** Largest `tail` any subscriber asked for. */
  tail = 0;
  /**
   * Newest entry taken from history while the stream had brought none of the channel yet: the stream
   * may still bring it (and older ones), which are then skipped.
   */
  floor: Cursor | undefined;

  constructor(
    readonly key: string,
    readonly isPattern: boolean,
    bufferSize: number,
    /** `since` of the subscription that created the channel (never set on a pattern). */
    readonly since: Cursor | undefined,
  ) {
    this.buffer = new RingBuffer(bufferSize);
    this.holding = since !== undefined;
  }

  add(options: SubscribeOptions): Subscriber {
    const subscriber: Subscriber = {
      options,
      minRank: options.level === undefined ? 0 : LOG_LEVELS.indexOf(options.level),
    };
    this.subscribers = [...this.subscribers, subscriber];
    this.refs++;
    // `since` wins over `tail`.
    if (this.since === undefined && options.tail !== undefined && options.tail > this.tail)
      this.tail = options.tail;
    return subscriber;
  }

  remove(subscriber: Subscriber): void {
    this.subscribers = this.subscribers.filter((s) => s !== subscriber);
    this.refs--;
  }

  /**
   * Ends a history load: first the `history` entries older than the first entry held from the stream
   * (which brings everything after that one itself), then the held entries, nothing at or before
   * `since`, as one batch.
   */
  release(history: LogEntry[], onError: (error: unknown) => void): void {
    const { pending: held, since, tail } = this;
    const first = held[0]?.id;
    const after = (entry: LogEntry) => since === undefined || compareCursors(entry.id, since) > 0;
    let older = history.filter(
      (entry) => (first === undefined || compareCursors(entry.id, first) < 0) && after(entry),
    );
    if (tail > 0 && older.length > tail) older = older.slice(older.length - tail);
    if (first === undefined) this.floor = older.at(-1)?.id;
    this.pending = older.concat(held.filter(after));
    this.holding = this.loading = false;
    this.flush(onError);
  }

  /**
   * Moves the pending entries into the buffer and hands them to every subscriber as one batch, so that
   * the snapshot changes once per chunk. `onError` receives whatever a subscriber callback throws.
   */
  flush(onError: (error: unknown) => void): void {
    const batch = this.pending;
    if (batch.length === 0 || this.holding) return;
    this.pending = [];
    for (let i = 0; i < batch.length; i++) this.buffer.push(batch[i]!);
    const subscribers = this.subscribers;
    for (let s = 0; s < subscribers.length; s++) {
      const subscriber = subscribers[s]!;
      const { onLog, onLogs, onChange } = subscriber.options;
      try {
        if (onLogs !== undefined || onLog !== undefined) {
          const mine = subscriber.minRank === 0 ? batch : batch.filter(isAtLeast, subscriber);
          if (mine.length > 0) {
            if (onLogs !== undefined) onLogs(mine);
            if (onLog !== undefined) for (let i = 0; i < mine.length; i++) onLog(mine[i]!);
          }
        }
        if (onChange !== undefined) onChange();
      } catch (error) {
        onError(error);
      }
    }
  }

  /** Calls one callback of every subscriber, shielding the others from one that throws. */
  notify(name: 'onStatus' | 'onDone' | 'onGap', value: unknown, onError: (error: unknown) => void): void {
    for (const { options } of this.subscribers) {
      try {
        (options[name] as ((value: unknown) => void) | undefined)?.(value);
      } catch (error) {
        onError(error);
      }
    }
  }
}

function isAtLeast(this: Subscriber, entry: LogEntry): boolean {
  // An entry from a gateway that knows more levels than this client ranks -1: below any minimum.
  return LOG_LEVELS.indexOf(entry.level) >= this.minRank;
}
