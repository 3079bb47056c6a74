import {
  type Cursor,
  compareCursors,
  cursorTime,
  type GapEvent,
  type HelloEvent,
  type LogEntry,
  matchChannel,
} from '@logs-sse/protocol';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Channel } from './channel';

/** What the dispatcher has read so far, for the client's stats and resume. */
export interface StreamState {
  /** Subscribed patterns (keys with a `*`), which an entry's channel must be matched against. */
  patterns: Channel[];
  /** The newest cursor received. Cursors only grow within a deployment: an older one is a replay. */
  last: Cursor | undefined;
  received: number;
  duplicates: number;
  malformed: number;
  lag: number | undefined;
}

/** What the dispatcher reports back to the connection that feeds it. */
export interface DispatcherHooks {
  /** The stream said hello: its heartbeat interval and the deployment's newest cursor, when sent. */
  onHello(heartbeatSeconds: number | undefined, cursor: Cursor | null | undefined): void;
  /** The stream sent `retry:`. */
  onRetry(ms: number): void;
  /** The stream buffered more than any valid event could hold; the connection should be replaced. */
  onOverflow(): void;
  /** A subscriber callback threw. */
  onError(error: unknown): void;
  now(): number;
}

/** Larger than any entry a gateway accepts; a stream that buffers more than this is broken. */
const MAX_EVENT_CHARS = 8_000_000;
const DASH = 45;

/**
 * Turns stream text into calls on the subscribed channels. Log entries of one chunk are collected per
 * channel and flushed together after the chunk, so each subscriber gets one batch and each snapshot
 * changes once per chunk. `reset` forgets a partly read event: the next text comes from a new connection.
 */
export function createDispatcher(
  channels: ReadonlyMap<string, Channel>,
  state: StreamState,
  hooks: DispatcherHooks,
): { feed(text: string): void; reset(): void } {
  const { onError } = hooks;
  /** Channels with log entries from the chunk being read. */
  let touched: Channel[] = [];
  /** Where the dash of `state.last` is (checked once per entry, so kept rather than searched). */
  let lastDash = -1;
  const parser = createParser({
    onEvent,
    onRetry: hooks.onRetry,
    onError(error) {
      if (error.type !== 'max-buffer-size-exceeded') return;
      state.malformed++;
      hooks.onOverflow();
    },
    maxBufferSize: MAX_EVENT_CHARS,
  });

  function onEvent(message: EventSourceMessage): void {
    const type = message.event;
    if (type !== 'log' && type !== 'status' && type !== 'done' && type !== 'gap' && type !== 'hello') return;
    let data: (LogEntry & GapEvent & HelloEvent) | undefined;
    try {
      data = JSON.parse(message.data);
    } catch {}
    if (typeof data !== 'object' || data === null || (type !== 'hello' && typeof data.channel !== 'string')) {
      state.malformed++;
      return;
    }
    if (type === 'hello') {
      const { heartbeatSeconds: seconds, cursor } = data;
      hooks.onHello(
        typeof seconds === 'number' && seconds > 0 ? seconds : undefined,
        cursor === null || typeof cursor === 'string' ? cursor : undefined,
      );
      return;
    }
    const id = message.id;
    if (id) {
      const last = state.last;
      // The common case, a cursor of the last one's shape: text order is cursor order, no call needed.
      const sameShape = last !== undefined && id.length === last.length && id.charCodeAt(lastDash) === DASH;
      if (last !== undefined && (sameShape ? id <= last : compareCursors(id, last) <= 0)) {
        state.duplicates++;
        return;
      }
      if (!sameShape) lastDash = id.indexOf('-');
      state.last = id;
    }
    if (type !== 'gap') state.received++;
    const exact = channels.get(data.channel);
    if (exact !== undefined) route(exact, type, data);
    const patterns = state.patterns;
    for (let i = 0; i < patterns.length; i++) {
      const pattern = patterns[i]!;
      if (matchChannel(pattern.key, data.channel)) route(pattern, type, data);
    }
  }

  function route(channel: Channel, type: 'log' | 'status' | 'done' | 'gap', data: LogEntry & GapEvent): void {
    if (type === 'log') {
      const floor = channel.floor;
      if (floor !== undefined && typeof data.id === 'string') {
        // Already delivered from history.
        if (compareCursors(data.id, floor) <= 0) return;
        channel.floor = undefined;
      }
      channel.pending.push(data);
      if (!channel.queued) {
        channel.queued = true;
        touched.push(channel);
      }
      return;
    }
    // Logs that came before this event in the chunk go out first, so callbacks see the stream's order.
    channel.flush(onError);
    channel.notify(type === 'status' ? 'onStatus' : type === 'done' ? 'onDone' : 'onGap', data, onError);
  }

  return {
    reset: () => parser.reset(),
    feed(text) {
      try {
        parser.feed(text);
      } catch {
        // The parser gave up on this stream after onOverflow; the connection is being replaced.
      }
      const batch = touched;
      if (batch.length === 0) return;
      touched = [];
      for (let i = 0; i < batch.length; i++) {
        const channel = batch[i]!;
        channel.queued = false;
        channel.flush(onError);
      }
      if (state.last !== undefined) state.lag = hooks.now() - cursorTime(state.last);
    },
  };
}
