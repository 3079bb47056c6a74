import {
  type Cursor,
  isChannelPattern,
  isCursor,
  isValidChannelPattern,
  LOG_LEVELS,
  type LogEntry,
} from '@logs-sse/protocol';
import { backoffDelay } from './backoff';
import { Channel } from './channel';
import { createDispatcher, type StreamState } from './dispatcher';
import type { LogsClientError } from './errors';
import { loadHistory } from './history';
import type { LogsClient } from './logsClient';
import { type LogsClientOptions, resolveOptions } from './options';
import type { ClientStatus, StatusListener } from './status';
import { runStream } from './stream';
import { isOnline, watchWakeups } from './wakeups';

/** The gateway's stream endpoint (`API_PATHS.stream`), inlined to keep the protocol's table out of bundles. */
const STREAM_PATH = '/api/logs/stream';
const EMPTY: readonly LogEntry[] = Object.freeze([]);
/** Silence allowed before any server has announced its heartbeat interval. */
const DEFAULT_STALL_MS = 45_000;
/** A history request that takes longer than this is given up (the channel then goes on without). */
const HISTORY_TIMEOUT_MS = 10_000;

/**
 * Creates a client. It connects when the first channel is subscribed.
 *
 * @example
 * const client = createLogsClient({ url: 'https://logs.example.com', token: 'reader-token' });
 * const stop = client.subscribe('logs:etl:ws-1:run-42', { onLog: (entry) => console.log(entry.message) });
 */
export function createLogsClient(clientOptions: LogsClientOptions): LogsClient {
  const options = resolveOptions(clientOptions);
  const { timers, now, onError } = options;
  const channels = new Map<string, Channel>();
  const histories = new Set<AbortController>();
  const counters = { connections: 0, reconnects: 0, stalls: 0, bytes: 0 };
  let status: ClientStatus = 'idle';
  let error: LogsClientError | undefined;
  let listeners: StatusListener[] = [];
  /** Bumped whenever a connection is given up, so that its late callbacks are ignored. */
  let generation = 0;
  let controller: AbortController | undefined;
  let connectedQuery: string | undefined;
  /** The current connection's request headers, which its history requests reuse. */
  let headers: Record<string, string> = {};
  let applyTimer: unknown;
  let retryTimer: unknown;
  let stallTimer: unknown;
  /** The stall limit: from the last `hello`, which later connections to the same gateway share. */
  let stallMs = DEFAULT_STALL_MS;
  let lastActivity = 0;
  /** Where to resume before any entry has arrived: the cursor the gateway said hello with. */
  let helloCursor: Cursor | undefined;
  let droppedByRemoved = 0;
  /** Failed attempts since the last `hello`, and the delay they grow from (the server's `retry:` once sent). */
  let attempt = 0;
  let retryBase = options.reconnect.initialDelayMs;
  let stopWakeups: (() => void) | undefined;

  const stream: StreamState = {
    patterns: [],
    last: undefined,
    received: 0,
    duplicates: 0,
    malformed: 0,
    lag: undefined,
  };
  const dispatcher = createDispatcher(channels, stream, {
    onHello(heartbeatSeconds, cursor) {
      attempt = 0;
      // Only a stream that did not resume starts at its hello's cursor (`null`: nothing was stored
      // before it, so everything stored since reaches it); a resumed one starts at the resume point.
      if (cursor !== undefined && stream.last === undefined) helloCursor ??= cursor ?? '0-0';
      for (const channel of channels.values()) {
        if (channel.joined && channel.holding && !channel.loading)
          loadInto(channel, `since=${channel.since}`);
      }
      // A stall is 2.5 announced heartbeat intervals of silence.
      if (heartbeatSeconds !== undefined) watchStall(heartbeatSeconds * 2500);
    },
    onRetry(ms) {
      retryBase = ms;
    },
    onOverflow: dropConnection,
    onError,
    now,
  });

  function setStatus(next: ClientStatus, nextError?: LogsClientError): void {
    if (next === status && nextError === error) return;
    status = next;
    error = nextError;
    for (const listener of listeners) {
      try {
        listener(next, nextError);
      } catch (thrown) {
        onError(thrown);
      }
    }
  }

  /** Clears a timer if one is set; returns `undefined`, the value a cleared handle takes. */
  function clear(handle: unknown): undefined {
    if (handle !== undefined) timers.clearTimeout(handle);
    return undefined;
  }

  // Channel set

  function scheduleApply(): void {
    applyTimer ??= timers.setTimeout(apply, options.debounceMs);
  }

  /** Brings the connection in line with the channels subscribed now. */
  function apply(): void {
    applyTimer = undefined;
    if (status === 'closed') return;
    for (const [key, channel] of channels) {
      if (channel.refs > 0) continue;
      droppedByRemoved += channel.buffer.evicted;
      channels.delete(key);
    }
    stream.patterns = stream.patterns.filter((channel) => channel.refs > 0);
    if (channels.size === 0) {
      // A fresh subscription later starts fresh, with its own `tail`, not from a stale cursor.
      stream.last = helloCursor = undefined;
      stop('idle');
    } else if (
      status !== 'reconnecting' &&
      (status === 'idle' || status === 'error' || streamQuery() !== connectedQuery)
    ) {
      // While reconnecting, the pending attempt reads the channel set when it runs.
      connect('connecting');
    }
  }

  /** The lowest level any subscriber wants, as a query parameter; each subscriber filters further. */
  function levelParam(): string {
    let rank = 5;
    for (const channel of channels.values()) {
      for (const subscriber of channel.subscribers) if (subscriber.minRank < rank) rank = subscriber.minRank;
    }
    return rank > 0 ? `&level=${LOG_LEVELS[rank]}` : '';
  }

  function streamQuery(): string {
    return `channels=${[...channels.keys()].sort().map(encodeURIComponent).join(',')}${levelParam()}`;
  }

  // Connection

  function connect(next: 'connecting' | 'reconnecting'): void {
    retryTimer = clear(retryTimer);
    // Watched from the start: a request swallowed by a silent network must not wait forever for headers.
    watchStall(stallMs);
    controller?.abort();
    const current = ++generation;
    controller = new AbortController();
    setStatus(next);
    stopWakeups ??= watchWakeups(() => {
      // The page came back online or into view: a pending retry need not wait out its delay.
      if (retryTimer !== undefined) connect('reconnecting');
    });
    void run(current, controller.signal);
  }

  async function run(current: number, signal: AbortSignal): Promise<void> {
    const query = streamQuery();
    connectedQuery = query;
    const authorization = await authorizationHeaders();
    if (current !== generation) return;
    if (authorization === undefined) {
      retry(0);
      return;
    }
    headers = authorization;
    let url = `${options.url}${STREAM_PATH}?${query}`;
    const resume = stream.last ?? helloCursor;
    let tail = 0;
    for (const channel of channels.values()) {
      if (channel.tail > tail) tail = channel.tail;
      if (channel.joined) continue;
      channel.joined = true;
      // A channel added to a running connection gets its recent entries from history.
      if (resume !== undefined && channel.tail > 0 && !channel.isPattern)
        loadInto(channel, `tail=${channel.tail}`);
    }
    // Without a cursor nothing has arrived yet, so the gateway's `tail` cannot repeat an entry.
    if (resume === undefined && tail > 0) url += `&tail=${tail}`;
    dispatcher.reset();
    const outcome = await runStream(
      options.fetch,
      url,
      {
        headers: resume === undefined ? headers : { ...headers, 'last-event-id': resume },
        signal,
        cache: 'no-store',
        credentials: options.credentials,
      },
      {
        open() {
          if (current !== generation) return;
          counters.connections++;
          setStatus('open');
          lastActivity = now();
        },
        chunk(text, bytes) {
          if (current !== generation) return;
          lastActivity = now();
          counters.bytes += bytes;
          dispatcher.feed(text);
        },
      },
    );
    if (current !== generation) return;
    controller = undefined;
    stallTimer = clear(stallTimer);
    if (typeof outcome === 'number') {
      retry(outcome);
      return;
    }
    stopWakeups?.();
    stopWakeups = undefined;
    setStatus('error', outcome);
  }

  async function authorizationHeaders(): Promise<Record<string, string> | undefined> {
    try {
      const { token } = options;
      const value = typeof token === 'function' ? await token() : token;
      return {
        ...options.headers,
        accept: 'text/event-stream',
        ...(value ? { authorization: `Bearer ${value}` } : undefined),
      };
    } catch (thrown) {
      onError(thrown);
      return undefined;
    }
  }

  /** Schedules the next attempt, no sooner than `notBeforeMs`. */
  function retry(notBeforeMs: number): void {
    counters.reconnects++;
    setStatus('reconnecting');
    const { maxDelayMs } = options.reconnect;
    let delay = Math.max(
      backoffDelay(attempt++, retryBase, options.reconnect, options.random),
      Math.min(notBeforeMs, maxDelayMs),
    );
    // Offline, the `online` event brings the next attempt forward; until then, try only rarely.
    if (!isOnline()) delay = Math.max(delay, maxDelayMs);
    retryTimer = timers.setTimeout(() => {
      retryTimer = undefined;
      connect('reconnecting');
    }, delay);
  }

  /**
   * (Re)starts the stall watch. One timer per connection, checked once per limit rather than re-armed
   * per chunk (a timer per chunk would cost more than the chunk's dispatch).
   */
  function watchStall(limitMs: number): void {
    stallMs = limitMs;
    lastActivity = now();
    clear(stallTimer);
    stallTimer = timers.setTimeout(checkStall, limitMs);
  }

  function checkStall(): void {
    const idle = now() - lastActivity;
    if (idle < stallMs) {
      stallTimer = timers.setTimeout(checkStall, stallMs - idle);
      return;
    }
    stallTimer = undefined;
    counters.stalls++;
    dropConnection();
  }

  function dropConnection(): void {
    generation++;
    controller?.abort();
    controller = undefined;
    stallTimer = clear(stallTimer);
    retry(0);
  }

  function stop(next: 'idle' | 'closed'): void {
    generation++;
    controller?.abort();
    controller = connectedQuery = undefined;
    retryTimer = clear(retryTimer);
    stallTimer = clear(stallTimer);
    stopWakeups?.();
    stopWakeups = undefined;
    setStatus(next);
  }

  /**
   * Loads a channel's history (`query`: its `tail` or `since`) while its live entries wait, then
   * delivers both as one ordered batch without duplicates (see {@link Channel.release}).
   */
  function loadInto(channel: Channel, query: string): void {
    channel.holding = channel.loading = true;
    const load = new AbortController();
    histories.add(load);
    const timeout = timers.setTimeout(() => load.abort(), HISTORY_TIMEOUT_MS);
    const init: RequestInit = {
      headers: { ...headers, accept: 'application/json' },
      signal: load.signal,
      credentials: options.credentials,
    };
    void loadHistory(options.fetch, options.url, init, channel.key, query + levelParam()).then((history) => {
      timers.clearTimeout(timeout);
      histories.delete(load);
      if (status !== 'closed' && channels.get(channel.key) === channel) channel.release(history, onError);
    });
  }

  return {
    get status() {
      return status;
    },
    get error() {
      return error;
    },
    subscribe(key, subscribeOptions = {}) {
      if (status === 'closed') throw new Error('subscribe() on a closed client: create a new one');
      const { level, tail = 0, since } = subscribeOptions;
      if (
        !isValidChannelPattern(key) ||
        (level !== undefined && !LOG_LEVELS.includes(level)) ||
        !(Number.isInteger(tail) && tail >= 0) ||
        (since !== undefined && !isCursor(since))
      ) {
        throw new TypeError(
          `subscribe("${key}"): expected a channel logs:{service}:{workspace}:{resource} (* allowed), a known level, a whole tail >= 0, a since cursor (an entry's id)`,
        );
      }
      let channel = channels.get(key);
      if (channel === undefined) {
        const isPattern = isChannelPattern(key);
        // History is per channel: a pattern gets neither `tail` nor `since`.
        channel = new Channel(key, isPattern, options.bufferSize, isPattern ? undefined : since);
        channels.set(key, channel);
        if (isPattern) stream.patterns.push(channel);
      }
      const subscriber = channel.add(subscribeOptions);
      scheduleApply();
      let subscribed = true;
      const target = channel;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        target.remove(subscriber);
        scheduleApply();
      };
    },
    getLogs(key) {
      return channels.get(key)?.buffer.snapshot() ?? EMPTY;
    },
    onStatus(listener) {
      listeners = [...listeners, listener];
      return () => {
        listeners = listeners.filter((l) => l !== listener);
      };
    },
    stats() {
      let dropped = droppedByRemoved;
      for (const channel of channels.values()) dropped += channel.buffer.evicted;
      return {
        status,
        ...counters,
        dropped,
        received: stream.received,
        duplicates: stream.duplicates,
        malformed: stream.malformed,
        lastEventId: stream.last ?? helloCursor,
        lag: stream.lag,
        channels: channels.size,
      };
    },
    close() {
      if (status === 'closed') return;
      applyTimer = clear(applyTimer);
      for (const load of histories) load.abort();
      stop('closed');
      listeners = [];
    },
  };
}
