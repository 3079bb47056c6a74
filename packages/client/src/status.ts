import type { LogsClientError } from './errors';

/**
 * - `idle`: no channel subscribed, no connection.
 * - `connecting`: opening a connection (first one, or after the set of channels changed).
 * - `open`: the stream is flowing.
 * - `reconnecting`: the connection dropped or was refused; waiting out the backoff or trying again.
 * - `error`: the gateway refused in a way retrying cannot fix; see `client.error`.
 * - `closed`: `close()` was called.
 */
export type ClientStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' | 'error';

export type StatusListener = (status: ClientStatus, error: LogsClientError | undefined) => void;

/** Counters and markers of a client, for dashboards and tests. */
export interface LogsClientStats {
  status: ClientStatus;
  /** Connections that the gateway answered with an event stream. */
  connections: number;
  /** Attempts scheduled after a drop, a refusal or a stall. */
  reconnects: number;
  /** Connections given up because nothing, not even a heartbeat, arrived for 2.5 heartbeat intervals. */
  stalls: number;
  /** Entries (log, status, done) received and delivered. */
  received: number;
  /** Entries skipped because their cursor was not newer than the last one seen. */
  duplicates: number;
  /** Log entries pushed out of full channel buffers. */
  dropped: number;
  /** Events whose data was not valid JSON of the expected shape. */
  malformed: number;
  /** Bytes read from streams. */
  bytes: number;
  /**
   * Where the next connection resumes: the cursor of the newest entry received or, before the first
   * one, the cursor the gateway said hello with.
   */
  lastEventId: string | undefined;
  /**
   * The epoch of the gateway's history (`hello.epoch`): it changes when the history is lost (a restart
   * of an in-memory gateway, a flushed Redis). Save it with a cursor: a cursor saved under another
   * epoch belongs to a history that is gone. `undefined` before the first `hello` that names one.
   */
  epoch: string | undefined;
  /**
   * How entries arrive: `'sse'`, one event stream, or `'poll'`, long polls, while a proxy on the way
   * holds the stream back (its `hello` did not follow its headers, or its heartbeats stopped). The
   * stream is tried again after 30 s, then less and less often, up to every 5 minutes.
   */
  transport: 'sse' | 'poll';
  /** Milliseconds between the newest entry's cursor time and its arrival (clock skew included). */
  lag: number | undefined;
  /** Channels and patterns currently subscribed. */
  channels: number;
}
