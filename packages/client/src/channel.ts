import { type Cursor, LOG_LEVELS, type LogEntry, type StatusEntry } from '@logs-sse/protocol';
import type { SubscribeOptions } from './options';
import { pushToRing, type SnapshotRing } from './snapshotRing';

/**
 * Everything the client holds for one subscribed channel or pattern: the subscribers that share it, the
 * ring of its newest entries (a channel is a {@link SnapshotRing}), and the log entries of the network
 * chunk being read, delivered together by `flush`. A plain object with functions beside it rather than
 * a class, the rule for all of the client's inner state: the closure reads it on every chunk, and
 * module functions minify to one letter where method names would survive in every bundle.
 */
export interface Channel extends SnapshotRing<LogEntry> {
  readonly key: string;
  /** `since` of the subscription that created the channel: its history starts after this cursor. */
  since: Cursor | undefined;
  /** The epoch `since` belongs to, when the subscription said. */
  epoch?: Cursor;
  /**
   * One `subscribe` call each (the same options object twice is two subscribers). Replaced, never
   * mutated, so that a callback may unsubscribe while the list is being walked.
   */
  subscribers: readonly SubscribeOptions[];
  /** Log entries of the current chunk, not yet in the ring. */
  pending: LogEntry[];
  /**
   * Whether the channel got the history it asked for (or asked for none). Until then each connection
   * asks the gateway for it; the gateway sends it before any other entry of the channel.
   */
  served?: boolean;
  /** Largest `tail` any subscriber asked for (`since` wins over `tail`). */
  tail: number;
  /** The newest `status` entry of the channel (for a pattern: of any channel it matches). */
  status?: StatusEntry;
}

export function createChannel(
  key: string,
  bufferSize: number,
  since: Cursor | undefined,
  epoch?: Cursor,
): Channel {
  return {
    key,
    since,
    epoch,
    subscribers: [],
    capacity: bufferSize,
    items: [],
    pushed: 0,
    pending: [],
    tail: 0,
  };
}

/**
 * Adds `subscriber` to `channel` and returns what removes it; `changed` runs after each, so that the
 * client brings its stream (or its tab's wishes) in line.
 */
export function addSubscriber(
  channel: Channel,
  subscriber: SubscribeOptions,
  changed: () => void,
): () => void {
  channel.subscribers = [...channel.subscribers, subscriber];
  // `since` wins over `tail`.
  if (!channel.since) channel.tail = Math.max(channel.tail, subscriber.tail ?? 0);
  changed();
  let subscribed = true;
  return () => {
    if (!subscribed) return;
    subscribed = false;
    const rest = [...channel.subscribers];
    rest.splice(rest.indexOf(subscriber), 1);
    channel.subscribers = rest;
    changed();
  };
}

/**
 * Moves the pending entries into the ring and hands them to every subscriber as one batch, so that
 * the snapshot changes once per chunk. `onError` receives whatever a subscriber callback throws.
 */
export function flush(channel: Channel, onError: (error: unknown) => void): void {
  const batch = channel.pending;
  if (batch.length === 0) return;
  channel.pending = [];
  for (const entry of batch) pushToRing(channel, entry);
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

function isAtLeast(this: number, entry: LogEntry): boolean {
  // An entry from a gateway that knows more levels than this client ranks -1: below any minimum.
  return LOG_LEVELS.indexOf(entry.level) >= this;
}
