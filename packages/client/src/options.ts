import type { Cursor, DoneEntry, GapEvent, LogEntry, LogLevel, StatusEntry } from '@logs-sse/protocol';

/** How the client waits between connection attempts: exponential backoff with jitter. */
export interface ReconnectOptions {
  /**
   * Delay before the first retry, in milliseconds. A `retry:` field sent by the server replaces it.
   * Defaults to `1000`.
   */
  initialDelayMs?: number;
  /** Upper bound of any delay, in milliseconds. Defaults to `30000`. */
  maxDelayMs?: number;
  /** Each failed attempt multiplies the delay by this. Defaults to `1.8`. */
  factor?: number;
  /**
   * Share of each delay that is random, from `0` (none) to `1` ("full jitter": anywhere from 0 to the
   * delay), so that many clients cut off together do not come back together. Defaults to `1`.
   */
  jitter?: number;
}

/** The timer functions the client uses; replace them to drive the client with fake timers. */
export interface ClientTimers {
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

/** Defaults are merged in one place, at the top of `createLogsClient`. */
export interface LogsClientOptions {
  /** Base URL of the gateway, such as `https://logs.example.com`. Required. */
  url: string;
  /** Extra request headers sent with every request. Defaults to none. */
  headers?: Record<string, string>;
  /**
   * Bearer token sent as `Authorization`, or a function that returns one (called before each
   * connection attempt, so a refreshed token is picked up on reconnect). Defaults to none.
   */
  token?: string | (() => string | Promise<string>);
  /** How many entries each subscribed channel keeps for `getLogs`. Defaults to `1000`. */
  bufferSize?: number;
  /** Backoff between connection attempts. Defaults as documented on each field. */
  reconnect?: ReconnectOptions;
  /** The `fetch` to use. Defaults to `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Send cookies to a gateway on another origin (`credentials: 'include'`). Defaults to `false`. */
  withCredentials?: boolean;
  /**
   * How long changes to the set of channels are collected before they are applied with one
   * reconnect, in milliseconds. Defaults to `25`.
   */
  debounceMs?: number;
  /** Called when a subscriber callback throws. Defaults to `console.error`. */
  onError?: (error: unknown) => void;
  /** Timer functions. Defaults to the global `setTimeout` and `clearTimeout`. */
  timers?: ClientTimers;
  /** Clock in milliseconds since the epoch. Defaults to `Date.now`. */
  now?: () => number;
  /** Source of randomness for jitter, returning a number in [0, 1). Defaults to `Math.random`. */
  random?: () => number;
}

/** What one part of an app wants from one channel (or channel pattern). */
export interface SubscribeOptions {
  /** Called once per log entry, in order. */
  onLog?: (entry: LogEntry) => void;
  /** Called once per batch: the log entries that arrived in one network chunk, in order. */
  onLogs?: (entries: readonly LogEntry[]) => void;
  /** Called for each `status` entry of the channel. */
  onStatus?: (entry: StatusEntry) => void;
  /** Called for each `done` entry of the channel. */
  onDone?: (entry: DoneEntry) => void;
  /** Called when the gateway no longer holds some entries the client missed. */
  onGap?: (gap: GapEvent) => void;
  /** Called after each change of the `getLogs(channel)` snapshot. */
  onChange?: () => void;
  /** Lowest level this subscriber receives. Defaults to every level. */
  level?: LogLevel;
  /**
   * How many recent entries to load when the subscription creates the channel (for a pattern: of each
   * matching channel). The gateway sends them in the stream, before the channel's live entries.
   * Defaults to `0`.
   */
  tail?: number;
  /**
   * Load the channel's entries newer than this cursor (the `id` of the last entry a page showed, say,
   * before a reload) when the subscription creates the channel; a later subscriber of a channel gets
   * its buffer as it is. Takes precedence over `tail`. Defaults to none.
   */
  since?: Cursor;
  /**
   * The epoch `since` was saved under (`stats().epoch` then). When the gateway's history has another
   * epoch and `since` is newer than its start (a gateway whose clock stood ahead before it lost its
   * history, which the gateway cannot tell), the channel gets a `reset` gap and loads its `tail` from the
   * new history instead. Defaults to none: `since` is taken as it is.
   */
  epoch?: Cursor;
}
