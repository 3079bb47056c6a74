import type { Cursor, LogEntry, LogLevel, StatusEntry } from '@logs-sse/protocol';
import type { ClientStatus, LogsClientStats } from '../status';

/**
 * What a tab wants of one channel: the lowest level of its subscribers (`undefined`: every level), the
 * largest `tail`, and where to start: the cursor it has everything up to, or the `since` it was given.
 */
export type Want = [key: string, level: LogLevel | undefined, tail: number, since: Cursor | undefined];

/** Messages on the group's BroadcastChannel. Short field names: they are written for every batch. */
export type Message =
  /** A tab's whole channel set; `seq` numbers its sets, so that an answer matches the set it answers. */
  | { t: 'subs'; tab: string; seq: number; w: Want[] }
  /** A tab leaves. */
  | { t: 'bye'; tab: string }
  /** A new leader: every tab sends its set again. */
  | { t: 'lead' }
  /** The leader (tab `tab`, epoch of its stream `ep`) is alive: sent every 500 ms; a follower that hears none for 1 s takes the lock over. */
  | { t: 'beat'; tab: string; ep: string | undefined }
  /**
   * The leader took channel `k` of tab `to` (set `seq`) on: `l` holds the entries the tab's `tail` or
   * `since` asks for that the leader already had, `live` whether the stream already carries the channel,
   * `s` the channel's current status as the leader holds it.
   */
  | {
      t: 'ack';
      to: string;
      seq: number;
      k: string;
      l: readonly LogEntry[];
      live: boolean;
      s: StatusEntry | undefined;
    }
  /** Log entries of one batch of channel `k`. */
  | { t: 'logs'; k: string; l: readonly LogEntry[] }
  /** A status, done or gap event of channel `k`. */
  | { t: 'ev'; k: string; n: 'onStatus' | 'onDone' | 'onGap'; d: { id?: string } }
  /** The stream's status, its error (code, HTTP status, message, server code) and counters. */
  | {
      t: 'conn';
      s: ClientStatus;
      e: [string, number, string, string | undefined] | undefined;
      st: LogsClientStats;
    };
