import {
  type Cursor,
  compareCursors,
  cursorTime,
  type GapEvent,
  isChannelPattern,
  type LogEntry,
  matchChannel,
} from '@logs-sse/protocol';
import { backoffDelay } from './backoff';
import { addSubscriber, type Channel, createChannel, flush } from './channel';
import { checkSubscribe } from './checkSubscribe';
import { classifyResponse } from './classifyResponse';
import { CALLBACKS, decodeEvent } from './decodeEvent';
import type { LogsClientError } from './errors';
import type { LogsClient } from './logsClient';
import type { ClientTimers, LogsClientOptions, SubscribeOptions } from './options';
import { ringEvicted, ringSnapshot } from './snapshotRing';
import { createSseParser } from './sseParser';
import type { ClientStatus, StatusListener } from './status';
import { historyQuery, streamQuery } from './streamQuery';
import { createUtf8Decoder } from './utf8Decoder';
import { isOnline, watchWakeups } from './wakeups';

const EMPTY: readonly LogEntry[] = Object.freeze([]);

/**
 * Creates a client. It connects when the first channel is subscribed.
 *
 * The connection's state machine is one closure: its state lives in local variables, which minifiers
 * shorten, where object properties would keep their names in every browser bundle. What needs none of
 * that state (decoding events, building the query, classifying answers) lives in modules of its own.
 *
 * @example
 * const client = createLogsClient({ url: 'https://logs.example.com', token: 'reader-token' });
 * const stop = client.subscribe('logs:etl:ws-1:run-42', { onLog: (entry) => console.log(entry.message) });
 */
export function createLogsClient(options: LogsClientOptions): LogsClient {
  const url = options?.url;
  let base: string;
  try {
    if (typeof url !== 'string' || !url) throw 0;
    // Relative to the page (a gateway behind the app's own origin); Node has no page and throws here.
    const { protocol, origin, pathname } = new URL(url, globalThis.location?.href);
    if (!/^https?:$/.test(protocol)) throw 0;
    // The stream's own URL stands for the base it ends in.
    base = origin + pathname.replace(/(\/api\/logs\/stream)?\/*$/, '');
  } catch {
    throw new TypeError(
      'createLogsClient: url must be the gateway\'s base URL: absolute ("https://logs.example.com"), or relative to the page in a browser ("/logs-gateway")',
    );
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
    throw new TypeError('createLogsClient: bufferSize must be a positive integer');
  }
  // Otherwise fetch's own default, `same-origin`.
  const credentials: RequestCredentials | undefined = options.withCredentials ? 'include' : undefined;

  const channels = new Map<string, Channel>();
  /** Subscribed patterns (keys with a `*`), which an entry's channel must be matched against. */
  let patterns: Channel[] = [];
  /** Channels with log entries from the chunk being read. */
  let touched: Channel[] = [];
  /** The channel the last event named (`undefined` when none is subscribed by that name). */
  let named: Channel | undefined;
  let status: ClientStatus = 'idle';
  let error: LogsClientError | undefined;
  let listeners: StatusListener[] = [];
  /** Bumped whenever a connection is given up, so that its late callbacks are ignored. */
  let generation = 0;
  let controller: AbortController | undefined;
  let connectedQuery: string | undefined;
  let applyTimer: unknown;
  let retryTimer: unknown;
  let stallTimer: unknown;
  /** The stall limit: from the last `hello` (45 s before any), which later connections share. */
  let stallMs = 45_000;
  /** The limit the stall timer runs with now: `stallMs`, or less while a stream waits for its `hello`. */
  let limit = 0;
  let lastActivity = 0;
  /**
   * Whether entries come by long polling: a stream that opened but stayed silent is held back by a proxy
   * that buffers. Each poll answers with what arrived after the cursor; the stream is tried again at
   * `streamAt`, later after each attempt that fails the same way (`probes`).
   */
  let polling = false;
  let streamAt = 0;
  let probes = 0;
  /** Cleared for good by a gateway that has no polls (404): older than them. */
  let canPoll = true;
  /** Whether the current answer brought its `hello`: only then does a poll follow at once. */
  let greeted = false;
  /** When the first attempt without a cursor went out: a first poll starts from then, by the gateway's clock. */
  let firstTry: number | undefined;
  /** The newest cursor received. Cursors only grow within a deployment: an older one is a replay. */
  let last: Cursor | undefined;
  /** Where to resume before any entry has arrived: the cursor the gateway said hello with. */
  let helloCursor: Cursor | undefined;
  /** The epoch of the gateway's history, from the last `hello` that named one. */
  let epoch: Cursor | undefined;
  /** Set when a channel must start over on a new stream: the rest of the chunk is left unread. */
  let restarting = false;
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

  const parser = createSseParser(
    onEvent,
    (ms) => {
      retryBase = ms;
    },
    () => {
      // Larger than any entry a gateway accepts: the stream is broken, replace the connection.
      malformed++;
      drop();
    },
    8e6,
  );

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
    parser.feed(text);
    const batch = touched;
    if (batch.length === 0) return;
    touched = [];
    for (const channel of batch) flush(channel, onError);
    if (last !== undefined) lag = now() - cursorTime(last);
  }

  function onEvent(type: string | undefined, text: string, id: string | undefined): void {
    // The rest of a chunk after a channel started over: the next stream brings it again.
    if (restarting) return;
    const data = decodeEvent(type, text);
    if (!data) {
      if (data === null) malformed++;
      return;
    }
    if (type === 'hello') {
      attempt = 0;
      greeted = true;
      if (!polling) probes = 0;
      const { heartbeatSeconds: seconds, cursor } = data;
      epoch = data.epoch || epoch;
      // Only a stream that did not resume starts at its hello's cursor (`null`: nothing was stored
      // before it, so everything stored since reaches it, and `0-0` is the start of any history); a
      // resumed one starts at the resume point.
      if (last === undefined && cursor !== undefined) helloCursor ??= cursor ?? '0-0';
      // A stall is 2.5 announced heartbeat intervals of silence (anything but a positive number is no
      // announcement).
      if (seconds > 0) {
        stallMs = seconds * 2500;
        watchStall(stallMs);
      }
      return;
    }
    // Events of one channel mostly come in a row: comparing the last one's channel with this one's costs
    // less than a lookup, which hashes the name JSON.parse has just made (4% of the client's work).
    if (named?.key !== data.channel) named = channels.get(data.channel);
    const exact = named;
    if (type === 'history') {
      // Older than anything the stream brings next, and sent without an id: no cursor to check.
      if (!exact || !Array.isArray(data.logs)) return;
      const { since } = exact;
      if (since && exact.epoch && epoch && exact.epoch !== epoch && compareCursors(since, epoch) > 0) {
        // Saved under a history that is gone, and newer than this one's start: the gateway took it
        // for one of its own and skips every entry up to it. The channel starts over, from its tail,
        // on a new stream that resumes where this one began.
        exact.since = undefined;
        for (const subscriber of exact.subscribers) exact.tail = Math.max(exact.tail, subscriber.tail ?? 0);
        const gap: GapEvent = { channel: exact.key, missed: 0, from: since, reason: 'reset' };
        route(exact, 'gap', gap as LogEntry & GapEvent);
        restarting = true;
        return;
      }
      exact.served = true;
      for (const entry of data.logs) {
        if (entry?.type !== 'log' && !CALLBACKS.has(entry?.type)) continue;
        received++;
        route(exact, entry.type, entry as LogEntry & GapEvent);
      }
      return;
    }
    if (id) {
      // The entry's own copy of its cursor: the `id:` field is a slice of the chunk's text, and comparing
      // slices costs more than the rest of the event's dispatch.
      const cursor = typeof data.id === 'string' ? data.id : id;
      if (last !== undefined && compareCursors(cursor, last) <= 0) {
        duplicates++;
        return;
      }
      last = cursor;
    }
    if (type !== 'gap') received++;
    if (exact) route(exact, type, data);
    for (const pattern of patterns) if (matchChannel(pattern.key, data.channel)) route(pattern, type, data);
  }

  function route(channel: Channel, type: unknown, data: LogEntry & GapEvent): void {
    if (type === 'log') {
      // A stream that resumes from before `since` replays entries the subscriber asked to skip.
      const { since } = channel;
      // `since` is a cursor, checked at subscribe: never empty.
      if (since && typeof data.id === 'string' && compareCursors(data.id, since) <= 0) return;
      // The first entry of a batch lists the channel for the flush after the chunk.
      if (channel.pending.push(data) === 1) touched.push(channel);
      return;
    }
    // Logs that came before this event in the chunk go out first, so callbacks see the stream's order.
    flush(channel, onError);
    // The newest event of each kind: `getStatus` reads `status`.
    (channel as unknown as Record<string, unknown>)[type as string] = data;
    const name = CALLBACKS.get(type)!;
    // The gateway's history is gone (a restart, a flush): so is what the buffer held of it.
    if (data.reason === 'reset') {
      channel.pushed = 0;
      channel.snapshot = EMPTY;
    }
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
      droppedByRemoved += ringEvicted(channel);
      channels.delete(key);
      named = undefined;
    }
    patterns = patterns.filter((channel) => channel.subscribers.length > 0);
    if (channels.size === 0) {
      // A fresh subscription later starts fresh, with its own `tail`, not from a stale cursor.
      last = helloCursor = firstTry = undefined;
      stop('idle');
    } else if (
      status !== 'reconnecting' &&
      (status === 'idle' || status === 'error' || streamQuery(channels) !== connectedQuery)
    ) {
      // While reconnecting, the pending attempt reads the channel set when it runs.
      connect('connecting');
    }
  }

  // Connection

  function connect(next: 'connecting' | 'reconnecting'): void {
    restarting = false;
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
    if (polling && now() >= streamAt) polling = false;
    greeted = false;
    const query = streamQuery(channels);
    connectedQuery = query;
    // Read with `query`, before the token is awaited: a channel subscribed meanwhile is in neither (the
    // gateway refuses the history of a channel the stream does not carry).
    const history = historyQuery(channels);
    let value: string | undefined;
    try {
      value = await (typeof token === 'function' ? token() : token);
    } catch (thrown) {
      onError(thrown);
      if (current === generation) drop();
      return;
    }
    if (current !== generation) return;
    const headers: Record<string, string> = { ...extraHeaders, accept: 'text/event-stream' };
    if (value) headers.authorization = `Bearer ${value}`;
    const resume = last ?? helloCursor;
    if (resume !== undefined) headers['last-event-id'] = resume;
    else firstTry ??= now();
    parser.reset();
    /** The error when retrying cannot help, else the least delay before the next attempt (`Retry-After`). */
    let outcome: LogsClientError | number = 0;
    // A stream's `hello` is its first bytes, sent with its headers, unless a proxy on the way holds them.
    if (!polling) watchStall(4000);
    try {
      const response = await fetchFn(
        `${base}/api/logs/${polling ? `poll?${resume ? '' : `back=${now() - firstTry!}&`}` : 'stream?'}${query}${history}`,
        {
          headers,
          signal,
          cache: 'no-store',
          credentials,
        },
      );
      const verdict = await classifyResponse(response, now());
      if (verdict !== undefined) {
        outcome = verdict;
        // A gateway older than polls: streams only, retried as before.
        if (polling && response.status === 404) {
          polling = false;
          canPoll = false;
          outcome = 0;
        }
      } else {
        if (current === generation) {
          connections++;
          setStatus('open');
          lastActivity = now();
          // Channels changed while this attempt was on its way: it carries the old set.
          if (streamQuery(channels) !== connectedQuery) scheduleApply();
        }
        await readBody(response.body!.getReader(), current);
      }
    } catch {}
    if (current !== generation) return;
    // A poll that was answered is followed by the next one at once; a stream that ended, after a delay.
    if (polling && greeted) void run(current, signal);
    else if (typeof outcome === 'number') drop(outcome);
    else stop('error', outcome);
  }

  /**
   * Reads a stream's body to its end. Kept apart from `run`: the loop is what gets optimised, and an
   * engine compiles the whole function that holds it, so the smaller that function, the less the
   * compilation costs on every page load.
   */
  async function readBody(reader: ReadableStreamDefaultReader<Uint8Array>, current: number): Promise<void> {
    const decode = createUtf8Decoder();
    for (;;) {
      const { done, value: chunk } = await reader.read();
      if (done) return;
      if (current !== generation) continue;
      lastActivity = now();
      bytes += chunk.byteLength;
      feed(decode(chunk));
      if (restarting) connect('reconnecting');
    }
  }

  /**
   * (Re)starts the stall watch. One timer per connection, checked once per limit rather than re-armed
   * per chunk (a timer per chunk would cost more than the chunk's dispatch).
   */
  function watchStall(limitMs: number): void {
    limit = limitMs;
    lastActivity = now();
    clear(stallTimer);
    stallTimer = timers.setTimeout(checkStall, limitMs);
  }

  function checkStall(): void {
    const idle = now() - lastActivity;
    if (idle < limit) {
      stallTimer = timers.setTimeout(checkStall, limit - idle);
    } else {
      stalls++;
      // A stream without hello, or silent since: a proxy may hold it back, and polls get through such
      // proxies. Where the network itself is down, they fail as a stream would; the stream is tried later.
      if (!polling && canPoll) {
        polling = true;
        streamAt = now() + backoffDelay(probes++, 30_000, 2, 300_000, 0, random);
      }
      drop();
    }
  }

  /** Gives up the current connection: its late callbacks are ignored from now on. */
  function abort(): void {
    generation++;
    // Kept once aborted: aborting it again, when the next attempt starts, does nothing.
    controller?.abort();
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
    // `connect` clears the handle, so that it marks a pending retry only while one is pending.
    retryTimer = timers.setTimeout(() => connect('reconnecting'), delay);
    setStatus('reconnecting');
  }

  function stop(next: 'idle' | 'closed' | 'error', nextError?: LogsClientError): void {
    abort();
    retryTimer = clear(retryTimer);
    stopWakeups?.();
    stopWakeups = undefined;
    setStatus(next, nextError);
  }

  return {
    get status() {
      return status;
    },
    get error() {
      return error;
    },
    subscribe(key, subscriber: SubscribeOptions = {}) {
      if (status === 'closed') throw new TypeError('subscribe() on a closed client: create a new one');
      checkSubscribe(key, subscriber);
      const { since } = subscriber;
      let channel = channels.get(key);
      if (!channel) {
        channel = createChannel(key, bufferSize, since, subscriber.epoch);
        channels.set(key, channel);
        if (isChannelPattern(key)) patterns.push(channel);
      }
      return addSubscriber(channel, subscriber, scheduleApply);
    },
    getLogs(key) {
      const channel = channels.get(key);
      return channel ? ringSnapshot(channel) : EMPTY;
    },
    getStatus: (key) => channels.get(key)?.status,
    onConnectionStatus(listener: StatusListener) {
      listeners = [...listeners, listener];
      return () => {
        listeners = listeners.filter((l) => l !== listener);
      };
    },
    stats() {
      let dropped = droppedByRemoved;
      for (const channel of channels.values()) dropped += ringEvicted(channel);
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
        epoch,
        transport: polling ? 'poll' : 'sse',
        lag,
        channels: channels.size,
      };
    },
    close() {
      if (status === 'closed') return;
      applyTimer = clear(applyTimer);
      stop('closed');
      listeners = [];
    },
  };
}
