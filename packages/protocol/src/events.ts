import type { Cursor } from './cursor';
import type { DoneEntry, LogEntry, StatusEntry } from './entry';
import type { RejectedEntry } from './errors';

/** Names of the SSE events the gateway sends on `/api/logs/stream`. */
export const STREAM_EVENTS = ['hello', 'history', 'log', 'status', 'done', 'gap'] as const;
export type StreamEventName = (typeof STREAM_EVENTS)[number];

/** First event of every stream. */
export interface HelloEvent {
  connectionId: string;
  /** The gateway sends a heartbeat comment at least this often; silence for much longer means a stall. */
  heartbeatSeconds: number;
  /** The concrete channels and patterns this stream carries. */
  channels: string[];
  /**
   * The deployment's newest cursor when the stream started (`null` when nothing was stored yet). Every
   * entry after it reaches this stream, so a client that has received no entry yet resumes from here.
   */
  cursor: Cursor | null;
  /**
   * The cursor the gateway's history began after: it changes when an in-memory gateway restarts or a
   * Redis history is flushed. A resume cursor older than it gets a `gap` with reason `reset`. `null`
   * when the gateway knows none yet; absent from gateways before it was added.
   */
  epoch?: Cursor | null;
}

/**
 * Why entries are missing: `dropped` when they were removed from history (by count, age or the memory
 * cap), `reset` when the resume point belongs to a history that is gone (another epoch).
 */
export type GapReason = 'dropped' | 'reset';

/** Sent before any entry of `channel` when the resume point is older than what the gateway still keeps. */
export interface GapEvent {
  /** A concrete channel; for `reset`, each channel or pattern of the request as it was asked for. */
  channel: string;
  /**
   * How many entries of the channel after the resume point are gone: at least 1 when `dropped`, `0`
   * (not known) when `reset`.
   */
  missed: number;
  /** The resume point the client asked for. */
  from: Cursor | null;
  /** Absent from gateways before it was added, which only sent `dropped` gaps. */
  reason?: GapReason;
}

/**
 * Kept entries of one channel or pattern that a stream asked for with `history=<key>~<tail or cursor>`,
 * sent after `hello` and before any replayed or live entry, without an `id:` (they are older than the
 * point the stream resumes from). One event per requested key, also when `logs` is empty.
 */
export interface HistoryEvent {
  /** The channel or pattern as requested. */
  channel: string;
  /** Oldest first: the newest `tail` entries, or those after the cursor, up to the stream's start. */
  logs: Array<LogEntry | StatusEntry | DoneEntry>;
}

/** The separator of a stream's `history` items: `logs:etl:ws-1:run-42~100`, `logs:etl:ws-1:*~1700000000000-0`. */
export const HISTORY_SEPARATOR = '~';

/** The `data` of each stream event, by event name. */
export interface StreamEventMap {
  hello: HelloEvent;
  history: HistoryEvent;
  log: LogEntry;
  status: StatusEntry;
  done: DoneEntry;
  gap: GapEvent;
}

/** Paths of the gateway's HTTP API. */
export const API_PATHS = {
  publish: '/api/logs/publish',
  stream: '/api/logs/stream',
  /** The long-poll form of `stream`, for clients behind proxies that buffer. */
  poll: '/api/logs/poll',
  history: '/api/logs/history',
  publisherHeartbeat: '/api/logs/publishers/heartbeat',
  health: '/health',
  ready: '/ready',
  stats: '/admin/logs/stats',
  metrics: '/metrics',
} as const;

/**
 * The last event of a `follow=false` stream: `event: done` without an id, after the history. Unlike a
 * resource's `done`, it names no single channel.
 */
export interface EndOfHistoryEvent {
  type: 'done';
  reason: 'end_of_history';
  channels: string[];
  /** Entries sent before it. */
  count: number;
}

/** Body of `GET /api/logs/history`: kept entries, oldest first. */
export interface HistoryResponse {
  logs: Array<LogEntry | StatusEntry | DoneEntry>;
}

/** Body of `POST /api/logs/publishers/heartbeat`. */
export interface PublisherHeartbeat {
  /** Stable for the publisher's life, 1 to 128 characters. */
  publisherId: string;
  service?: string;
  /** The publisher's counters, any JSON object. */
  stats: Record<string, unknown>;
}

/** Request header by which a publisher names itself on publish, so the gateway can attribute entries. */
export const PUBLISHER_ID_HEADER = 'x-publisher-id';

/** A publisher id: 1 to 128 printable ASCII characters, safe in a header and in stats. */
export function isPublisherId(value: unknown): value is string {
  return typeof value === 'string' && /^[\x21-\x7e]{1,128}$/.test(value);
}

/** Body of a 202 answer to a publish request. */
export interface PublishResult {
  accepted: number;
  /** The first `MAX_REJECTED_LISTED` (100) rejected entries, in batch order. */
  rejected: RejectedEntry[];
  /** Entries rejected in all; more than `rejected.length` when the list was cut. */
  rejectedCount: number;
}
