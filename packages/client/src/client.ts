import {
  type Cursor,
  compareCursors,
  cursorTime,
  type ErrorBody,
  type GapEvent,
  type HelloEvent,
  isChannelPattern,
  isCursor,
  isValidChannelPattern,
  LOG_LEVELS,
  type LogEntry,
  matchChannel,
} from '@logs-sse/protocol';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { backoffDelay } from './backoff';
import { type Channel, createChannel, flush, release } from './channel';
import { errorCodeForStatus, LogsClientError } from './errors';
import type { LogsClient } from './logsClient';
import type { ClientTimers, LogsClientOptions, SubscribeOptions } from './options';
import type { ClientStatus, StatusListener } from './status';
import { isOnline, watchWakeups } from './wakeups';

const EMPTY: readonly LogEntry[] = Object.freeze([]);

/**
 * Creates a client. It connects when the first channel is subscribed.
 *
 * The whole client is one closure: its state lives in local variables, which minifiers shorten, where
 * object properties would keep their names in every browser bundle.
 *
 * @example
 * const client = createLogsClient({ url: 'https://logs.example.com', token: 'reader-token' });
 * const stop = client.subscribe('logs:etl:ws-1:run-42', { onLog: (entry) => console.log(entry.message) });
 */
export function createLogsClient(options: LogsClientOptions): LogsClient {
  const url = options?.url;
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
    throw new TypeError('createLogsClient: url must be an absolute URL, e.g. "https://logs.example.com"');
  }
  // Every default lives here, and nowhere else.
  const {
    headers: extraHeaders,
    token,
    bufferSize = 1000,
    // Called through a wrapper so that a browser's fetch never gets the options object as `this`.
    fetch: fetchFn = (input, init) => fetch(input, init),
    debounceMs = 25,
    onError = console.error,
    // The global functions, read when called, so that fake timers installed later still apply.
    timers = globalThis as ClientTimers,
    now = Date.now,
    random = Math.random,
  } = options;
  const { initialDelayMs = 1000, maxDelayMs = 30_000, factor = 1.8, jitter = 1 } = options.reconnect ?? {};
  if (!(Number.isInteger(bufferSize) && bufferSize > 0)) {
    throw new RangeError('createLogsClient: bufferSize must be a positive integer');
  }
  const base = url.replace(/\/+$/, '');
  const credentials: RequestCredentials = options.withCredentials ? 'include' : 'same-origin';

  const channels = new Map<string, Channel>();
  /** Subscribed patterns (keys with a `*`), which an entry's channel must be matched against. */
  let patterns: Channel[] = [];
  /** Channels with log entries from the chunk being read. */
  let touched: Channel[] = [];
  const histories = new Set<AbortController>();
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
  /** The stall limit: from the last `hello` (45 s before any), which later connections share. */
  let stallMs = 45_000;
  let lastActivity = 0;
  /** The newest cursor received. Cursors only grow within a deployment: an older one is a replay. */
  let last: Cursor | undefined;
  /** Where the dash of `last` is (checked once per entry, so kept rather than searched). */
  let lastDash = -1;
  /** Where to resume before any entry has arrived: the cursor the gateway said hello with. */
  let helloCursor: Cursor | undefined;
  /** Failed attempts since the last `hello`, and the delay they grow from (the server's `retry:` once sent). */
  let attempt = 0;
  let retryBase = initialDelayMs;
  let stopWakeups: (() => void) | undefined;
  let connections = 0;
  let reconnects = 0;
  let stalls = 0;
  let bytes = 0;
  let received = 0;
  let duplicates = 0;
  let malformed = 0;
  let droppedByRemoved = 0;
  let lag: number | undefined;

  const parser = createParser({
    onEvent,
    onRetry: (ms) => {
      retryBase = ms;
    },
    onError(parseError) {
      // Larger than any entry a gateway accepts: the stream is broken, replace the connection.
      if (parseError.type !== 'max-buffer-size-exceeded') return;
      malformed++;
      drop();
    },
    maxBufferSize: 8e6,
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

  // Reading the stream

  /**
   * Log entries of one chunk are collected per channel and flushed together after the chunk, so each
   * subscriber gets one batch and each snapshot changes once per chunk.
   */
  function feed(text: string): void {
    try {
      parser.feed(text);
    } catch {
      // The parser gave up on this stream after an overflow; the connection is being replaced.
    }
    const batch = touched;
    if (batch.length === 0) return;
    touched = [];
    for (const channel of batch) flush(channel, onError);
    if (last !== undefined) lag = now() - cursorTime(last);
  }

  function onEvent({ event: type, data: text, id }: EventSourceMessage): void {
    if (type !== 'log' && type !== 'status' && type !== 'done' && type !== 'gap' && type !== 'hello') return;
    let data: (LogEntry & GapEvent & HelloEvent) | undefined;
    try {
      data = JSON.parse(text);
    } catch {}
    if (typeof data !== 'object' || data === null || (type !== 'hello' && typeof data.channel !== 'string')) {
      malformed++;
      return;
    }
    if (type === 'hello') {
      attempt = 0;
      const { heartbeatSeconds: seconds, cursor } = data;
      // Only a stream that did not resume starts at its hello's cursor (`null`: nothing was stored
      // before it, so everything stored since reaches it); a resumed one starts at the resume point.
      if ((cursor === null || typeof cursor === 'string') && last === undefined)
        helloCursor ??= cursor ?? '0-0';
      for (const channel of channels.values()) {
        if (channel.joined && channel.holding && !channel.loading)
          void loadInto(channel, `since=${channel.since}`);
      }
      // A stall is 2.5 announced heartbeat intervals of silence.
      if (typeof seconds === 'number' && seconds > 0) watchStall(seconds * 2500);
      return;
    }
    if (id) {
      // The common case, a cursor of the last one's shape: text order is cursor order, no call needed.
      const sameShape = last !== undefined && id.length === last.length && id.charCodeAt(lastDash) === 45;
      if (last !== undefined && (sameShape ? id <= last : compareCursors(id, last) <= 0)) {
        duplicates++;
        return;
      }
      if (!sameShape) lastDash = id.indexOf('-');
      last = id;
    }
    if (type !== 'gap') received++;
    const exact = channels.get(data.channel);
    if (exact !== undefined) route(exact, type, data);
    for (const pattern of patterns) if (matchChannel(pattern.key, data.channel)) route(pattern, type, data);
  }

  function route(channel: Channel, type: 'log' | 'status' | 'done' | 'gap', data: LogEntry & GapEvent): void {
    if (type === 'log') {
      const floor = channel.floor;
      if (floor !== undefined && typeof data.id === 'string') {
        // Already delivered from history.
        if (compareCursors(data.id, floor) <= 0) return;
        channel.floor = undefined;
      }
      // The first entry of a batch lists the channel for the flush after the chunk. (A channel whose
      // entries are held keeps them pending across chunks, and its flush waits for the history anyway.)
      if (channel.pending.push(data) === 1) touched.push(channel);
      return;
    }
    // Logs that came before this event in the chunk go out first, so callbacks see the stream's order.
    flush(channel, onError);
    const name = type === 'status' ? 'onStatus' : type === 'done' ? 'onDone' : 'onGap';
    for (const subscriber of channel.subscribers) {
      try {
        (subscriber[name] as ((value: unknown) => void) | undefined)?.(data);
      } catch (thrown) {
        onError(thrown);
      }
    }
  }

  // Channel set

  function scheduleApply(): void {
    applyTimer ??= timers.setTimeout(apply, debounceMs);
  }

  /** Brings the connection in line with the channels subscribed now. */
  function apply(): void {
    applyTimer = undefined;
    if (status === 'closed') return;
    for (const [key, channel] of channels) {
      if (channel.subscribers.length > 0) continue;
      droppedByRemoved += channel.buffer.evicted;
      channels.delete(key);
    }
    patterns = patterns.filter((channel) => channel.subscribers.length > 0);
    if (channels.size === 0) {
      // A fresh subscription later starts fresh, with its own `tail`, not from a stale cursor.
      last = helloCursor = undefined;
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
      for (const { level } of channel.subscribers) rank = Math.min(rank, LOG_LEVELS.indexOf(level!));
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

  /**
   * One connection attempt, from the token to the end of the stream. Never rejects: a network failure,
   * a reset or an abort ends the stream, and what follows (retry or error) is decided here.
   */
  async function run(current: number, signal: AbortSignal): Promise<void> {
    const query = streamQuery();
    connectedQuery = query;
    let value: string | undefined;
    try {
      value = await (typeof token === 'function' ? token() : token);
    } catch (thrown) {
      onError(thrown);
      if (current === generation) drop();
      return;
    }
    if (current !== generation) return;
    headers = { ...extraHeaders, accept: 'text/event-stream' };
    if (value) headers.authorization = `Bearer ${value}`;
    let url = `${base}/api/logs/stream?${query}`;
    const resume = last ?? helloCursor;
    let tail = 0;
    for (const channel of channels.values()) {
      tail = Math.max(tail, channel.tail);
      if (channel.joined) continue;
      channel.joined = true;
      // A channel added to a running connection gets its recent entries from history.
      if (resume !== undefined && channel.tail > 0 && !isChannelPattern(channel.key))
        void loadInto(channel, `tail=${channel.tail}`);
    }
    // Without a cursor nothing has arrived yet, so the gateway's `tail` cannot repeat an entry.
    if (resume === undefined && tail > 0) url += `&tail=${tail}`;
    parser.reset();
    /** The error when retrying cannot help, else the least delay before the next attempt (`Retry-After`). */
    let outcome: LogsClientError | number = 0;
    try {
      const response = await fetchFn(url, {
        headers: resume === undefined ? headers : { ...headers, 'last-event-id': resume },
        signal,
        cache: 'no-store',
        credentials,
      });
      const { status: code, body } = response;
      const refusal = errorCodeForStatus(code);
      if (refusal !== undefined) {
        // Read leniently: the detail only enriches the error, whose own `code` comes from the status.
        const detail = ((await response.json().catch(() => {})) as Partial<ErrorBody> | undefined)?.error;
        outcome = new LogsClientError(
          refusal,
          code,
          `stream refused: ${code}${detail ? ` ${detail.code}: ${detail.message}` : ''}`,
          detail?.code,
        );
      } else if (!response.ok) {
        // 5xx, 408, 429: later, at the server's `Retry-After` at the earliest.
        outcome = Number(response.headers.get('retry-after')) * 1000 || 0;
        await body?.cancel();
      } else if (!response.headers.get('content-type')?.startsWith('text/event-stream') || !body) {
        outcome = new LogsClientError('not_event_stream', code, 'not an event stream: check the url');
        await body?.cancel();
      } else {
        if (current === generation) {
          connections++;
          setStatus('open');
          lastActivity = now();
          // Channels changed while this attempt was on its way: it carries the old set.
          if (streamQuery() !== connectedQuery) scheduleApply();
        }
        const reader = body.getReader();
        const decoder = new TextDecoder();
        for (;;) {
          const { done, value: chunk } = await reader.read();
          if (done) break;
          if (current !== generation) continue;
          lastActivity = now();
          bytes += chunk.byteLength;
          feed(decoder.decode(chunk, { stream: true }));
        }
      }
    } catch {}
    if (current !== generation) return;
    if (typeof outcome === 'number') drop(outcome);
    else stop('error', outcome);
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
    } else {
      stallTimer = undefined;
      stalls++;
      drop();
    }
  }

  /** Gives up the current connection: its late callbacks are ignored from now on. */
  function abort(): void {
    generation++;
    controller?.abort();
    controller = undefined;
    stallTimer = clear(stallTimer);
  }

  /** Gives up the connection and schedules the next attempt, no sooner than `notBeforeMs`. */
  function drop(notBeforeMs = 0): void {
    abort();
    reconnects++;
    let delay = Math.max(
      backoffDelay(attempt++, retryBase, factor, maxDelayMs, jitter, random),
      Math.min(notBeforeMs, maxDelayMs),
    );
    // Offline, the `online` event brings the next attempt forward; until then, try only rarely.
    if (!isOnline()) delay = Math.max(delay, maxDelayMs);
    // Set before the status changes, so that a listener that closes the client also clears it.
    retryTimer = timers.setTimeout(() => {
      retryTimer = undefined;
      connect('reconnecting');
    }, delay);
    setStatus('reconnecting');
  }

  function stop(next: 'idle' | 'closed' | 'error', nextError?: LogsClientError): void {
    abort();
    connectedQuery = undefined;
    retryTimer = clear(retryTimer);
    stopWakeups?.();
    stopWakeups = undefined;
    setStatus(next, nextError);
  }

  /**
   * Loads a channel's kept log entries (`query`: its `tail=N` or `since=<cursor>`, plus the stream's
   * `level`) while its live entries wait, then delivers both as one ordered batch without duplicates
   * (see {@link release}). Any failure delivers the live entries alone: history is a convenience.
   */
  async function loadInto(channel: Channel, query: string): Promise<void> {
    channel.holding = channel.loading = true;
    const load = new AbortController();
    histories.add(load);
    // A history request that takes longer than this is given up (the channel then goes on without).
    const timeout = timers.setTimeout(() => load.abort(), 10_000);
    let history: LogEntry[] = [];
    try {
      const response = await fetchFn(
        `${base}/api/logs/history?channel=${encodeURIComponent(channel.key)}&${query}${levelParam()}`,
        { headers: { ...headers, accept: 'application/json' }, signal: load.signal, credentials },
      );
      const logs = ((await response.json()) as { logs?: unknown } | null)?.logs;
      // History answers hold status and done entries too; only log lines go to the log buffer.
      if (response.ok && Array.isArray(logs)) history = logs.filter(isLogLine);
    } catch {}
    timers.clearTimeout(timeout);
    histories.delete(load);
    if (status !== 'closed' && channels.get(channel.key) === channel) release(channel, history, onError);
  }

  return {
    get status() {
      return status;
    },
    get error() {
      return error;
    },
    subscribe(key, subscriber: SubscribeOptions = {}) {
      if (status === 'closed') throw new Error('subscribe() on a closed client: create a new one');
      const { level, tail = 0, since } = subscriber;
      if (
        !isValidChannelPattern(key) ||
        (level !== undefined && !LOG_LEVELS.includes(level)) ||
        !(Number.isInteger(tail) && tail >= 0) ||
        (since !== undefined && !isCursor(since))
      ) {
        throw new TypeError(
          `subscribe("${key}"): expected a channel logs:{service}:{workspace}:{resource} (* allowed), a level, a whole tail >= 0, a since cursor`,
        );
      }
      let channel = channels.get(key);
      if (channel === undefined) {
        const isPattern = isChannelPattern(key);
        // History is per channel: a pattern gets neither `tail` nor `since`.
        channel = createChannel(key, bufferSize, isPattern ? undefined : since);
        channels.set(key, channel);
        if (isPattern) patterns.push(channel);
      }
      const target = channel;
      target.subscribers = [...target.subscribers, subscriber];
      // `since` wins over `tail`.
      if (target.since === undefined) target.tail = Math.max(target.tail, tail);
      scheduleApply();
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        const rest = [...target.subscribers];
        rest.splice(rest.indexOf(subscriber), 1);
        target.subscribers = rest;
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
        connections,
        reconnects,
        stalls,
        received,
        duplicates,
        dropped,
        malformed,
        bytes,
        lastEventId: last ?? helloCursor,
        lag,
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

function isLogLine(entry: (LogEntry & { type?: unknown }) | null): boolean {
  return entry?.type === 'log' && isCursor(entry.id) && typeof entry.message === 'string';
}
