import type { ServerResponse } from 'node:http';
import type { ChannelPattern } from '../patterns';
import type { StoredEntry } from '../store/store';

/** Filters a stream applies to log entries; status and done entries always pass. */
export interface StreamFilter {
  /** Lowest level rank to send, or -1 for all. */
  minLevel: number;
  /** Lower-cased substring the message must contain, or `''` for any. */
  query: string;
}

/**
 * One open stream. Entries are queued as shared, pre-encoded frames and written once per tick by the
 * fan-out; while the stream is still replaying history, live entries are held back and sent after it.
 */
export class Subscriber {
  /** Frames waiting for the next flush. */
  pending: Buffer[] = [];
  pendingBytes = 0;
  pendingEntries = 0;
  /** When the fan-out last wrote to this stream (monotonic ms), and when it is due again (`0`: not waiting). */
  lastWriteAt = Number.NEGATIVE_INFINITY;
  flushDue = 0;
  /** Live entries that arrived during replay. */
  held: StoredEntry[] = [];
  heldBytes = 0;
  replaying = true;
  closed = false;
  /** Id of the last entry offered, so an entry matched by two patterns is sent once. */
  lastOffered = '';

  constructor(
    readonly id: string,
    readonly res: ServerResponse,
    /** What the stream asked for; the fan-out swaps in the patterns other streams of a channel share. */
    public patterns: readonly ChannelPattern[],
    readonly filter: StreamFilter,
  ) {}

  /** Whether this stream wants `entry` at all, given its level and text filters. */
  accepts(entry: StoredEntry): boolean {
    return passesFilter(this.filter, entry);
  }

  /**
   * Bytes this stream has fallen behind by: what earlier writes left unsent in the socket, plus live entries
   * held during replay. Frames queued in the current tick are not counted: they are one publish's worth, the
   * same for every subscriber, and are handed to the socket (or dropped with it) at the end of the tick.
   */
  backlogBytes(): number {
    return this.res.writableLength + this.heldBytes;
  }
}

/** Level and `q` filters apply to log entries only. */
export function passesFilter(filter: StreamFilter, entry: StoredEntry): boolean {
  if (entry.type !== 'log') return true;
  if (entry.levelRank < filter.minLevel) return false;
  return filter.query === '' || entry.message.toLowerCase().includes(filter.query);
}
