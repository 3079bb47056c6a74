import { type Cursor, compareCursors, LOG_LEVELS, type LogEntry } from '@logs-sse/protocol';
import type { SubscribeOptions } from './options';
import { RingBuffer } from './ringBuffer';

/**
 * Everything the client holds for one subscribed channel or pattern: the subscribers that share it,
 * its ring buffer, and the log entries of the network chunk being read, delivered together by `flush`.
 * A plain object rather than a class: its fields are read by the client's closure, and methods' names
 * would survive minification.
 */
export interface Channel {
  readonly key: string;
  /** `since` of the subscription that created the channel (never set on a pattern). */
  readonly since: Cursor | undefined;
  /**
   * One `subscribe` call each (the same options object twice is two subscribers). Replaced, never
   * mutated, so that a callback may unsubscribe while the list is being walked.
   */
  subscribers: readonly SubscribeOptions[];
  readonly buffer: RingBuffer<LogEntry>;
  /** Log entries of the current chunk (or, while `holding`, of every chunk), not yet in the buffer. */
  pending: LogEntry[];
  /** While its history is awaited, the channel's entries wait in `pending`. */
  holding: boolean;
  /** Whether the history request is out. */
  loading: boolean;
  /** Whether a connection has carried this channel yet (a new one may need its history loaded). */
  joined: boolean;
  /** Largest `tail` any subscriber asked for (`since` wins over `tail`). */
  tail: number;
  /**
   * Newest entry taken from history while the stream had brought none of the channel yet: the stream
   * may still bring it (and older ones), which are then skipped.
   */
  floor: Cursor | undefined;
}

export function createChannel(key: string, bufferSize: number, since: Cursor | undefined): Channel {
  return {
    key,
    since,
    subscribers: [],
    buffer: new RingBuffer(bufferSize),
    pending: [],
    holding: since !== undefined,
    loading: false,
    joined: false,
    tail: 0,
    floor: undefined,
  };
}

/**
 * Moves the pending entries into the buffer and hands them to every subscriber as one batch, so that
 * the snapshot changes once per chunk. `onError` receives whatever a subscriber callback throws.
 */
export function flush(channel: Channel, onError: (error: unknown) => void): void {
  const batch = channel.pending;
  if (channel.holding || batch.length === 0) return;
  channel.pending = [];
  for (const entry of batch) channel.buffer.push(entry);
  for (const { onLog, onLogs, onChange, level } of channel.subscribers) {
    try {
      if (onLogs || onLog) {
        // No level: -1, every entry.
        const rank = LOG_LEVELS.indexOf(level!);
        const mine = rank > 0 ? batch.filter(isAtLeast, rank) : batch;
        if (mine.length > 0) {
          onLogs?.(mine);
          if (onLog) for (const entry of mine) onLog(entry);
        }
      }
      onChange?.();
    } catch (error) {
      onError(error);
    }
  }
}

/**
 * Ends a history load: first the `history` entries older than the first entry held from the stream
 * (which brings everything after that one itself), at most `tail` of them, then the held entries,
 * nothing at or before `since`, as one batch.
 */
export function release(channel: Channel, history: LogEntry[], onError: (error: unknown) => void): void {
  const { pending: held, since } = channel;
  const first = held[0]?.id;
  const after = (entry: LogEntry) => since === undefined || compareCursors(entry.id, since) > 0;
  // `slice(-0)` keeps everything: a `since` channel has no tail.
  const older = history
    .filter((entry) => (first === undefined || compareCursors(entry.id, first) < 0) && after(entry))
    .slice(-channel.tail);
  // Nothing held yet: the stream may still bring what history gave, which it then skips.
  if (first === undefined) channel.floor = older.at(-1)?.id;
  channel.pending = older.concat(held.filter(after));
  channel.holding = channel.loading = false;
  flush(channel, onError);
}

function isAtLeast(this: number, entry: LogEntry): boolean {
  // An entry from a gateway that knows more levels than this client ranks -1: below any minimum.
  return LOG_LEVELS.indexOf(entry.level) >= this;
}
