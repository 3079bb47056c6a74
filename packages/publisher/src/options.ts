import { isValidSegment } from '@logs-sse/protocol';
import type { PublisherError } from './publisherError';

/** What to do with a new entry when the queue is full. */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest';

/** Timer functions the publisher schedules its work with; swap them for fake timers in tests. */
export interface PublisherTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface PublisherOptions {
  /** Base URL of the gateway, such as `https://logs.example.com`. Required. */
  url: string;
  /** Publisher token, sent as `Authorization: Bearer <token>`. Defaults to none (an open gateway). */
  token?: string;
  /** Service name: the first segment of every channel this publisher forms. Required. */
  service: string;
  /** Most entries held at once, counting the batch in flight. Defaults to `10000`. */
  maxQueueSize?: number;
  /** Most characters of serialised entries held at once, counting the batch in flight. Defaults to `16 MiB`. */
  maxQueueBytes?: number;
  /** Which entry to lose when the queue is full. Defaults to `'drop-oldest'`. */
  overflow?: OverflowPolicy;
  /** Most entries per request (a request is sent sooner when `flushIntervalMs` passes). Defaults to `2000`. */
  batchSize?: number;
  /** Most characters per request body before compression. Defaults to `1 MiB`. */
  maxBatchBytes?: number;
  /** Longest an entry waits for a batch to fill before it is sent. Defaults to `50`. */
  flushIntervalMs?: number;
  /** Compress request bodies of at least 1 KiB with gzip. Defaults to `false`. */
  gzip?: boolean;
  /** Told of every delivery fault (network, refused batch, rejected entries). Defaults to none. */
  onError?: (error: PublisherError) => void;
  /** How often stats go to the gateway's publisher heartbeat; `0` turns it off. Defaults to `5000`. */
  heartbeatIntervalMs?: number;
  /** Identifies this publisher in the gateway's stats. Defaults to `<service>-<random>`. */
  publisherId?: string;
  /** Give up on one request after this long and retry it. Defaults to `10000`. */
  requestTimeoutMs?: number;
  /** First retry waits up to this long; each further retry doubles it. Defaults to `100`. */
  retryBaseMs?: number;
  /** Longest wait between retries, `Retry-After` included. Defaults to `30000`. */
  retryMaxMs?: number;
  /** How long `close()` keeps sending before it drops what is left. Defaults to `5000`. */
  closeTimeoutMs?: number;
  /**
   * Flush on `SIGTERM` and `beforeExit` (at most `closeTimeoutMs`), then let the process end as it
   * would have. Defaults to `false`.
   */
  handleExit?: boolean;
  /** Clock in epoch milliseconds, stamped on entries that carry no timestamp. Defaults to `Date.now`. */
  now?: () => number;
  /** Timers for batching, retries and heartbeats. Defaults to the global ones, unref'd. */
  timers?: PublisherTimers;
  /** Source of randomness for retry jitter. Defaults to `Math.random`. */
  random?: () => number;
}

export type ResolvedOptions = Required<Omit<PublisherOptions, 'token' | 'onError'>> &
  Pick<PublisherOptions, 'token' | 'onError'>;

const realTimers: PublisherTimers = {
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, ms);
    // No timer of the publisher may keep a process alive: a finished service exits on its own.
    handle.unref();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

/** Checks the options a caller gave and fills in every default; the one place defaults live. */
export function resolveOptions(options: PublisherOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createLogsPublisher(options) needs an options object: { url, service, token? }');
  }
  const { url, service } = options;
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
    throw new TypeError(`options.url must be the gateway's http(s) base URL, got ${String(url)}`);
  }
  if (!isValidSegment(service)) {
    throw new TypeError('options.service must match [A-Za-z0-9_.-]{1,128}, such as "billing-api"');
  }
  const maxQueueSize = positive(options.maxQueueSize, 10_000, 'maxQueueSize');
  const resolved: ResolvedOptions = {
    url: url.replace(/\/+$/, ''),
    token: options.token,
    service,
    maxQueueSize,
    maxQueueBytes: positive(options.maxQueueBytes, 16 * 1024 * 1024, 'maxQueueBytes'),
    overflow: options.overflow ?? 'drop-oldest',
    // A batch larger than the queue could never fill; keeping it within the bound keeps the arithmetic simple.
    batchSize: Math.min(positive(options.batchSize, 2000, 'batchSize'), maxQueueSize),
    maxBatchBytes: positive(options.maxBatchBytes, 1024 * 1024, 'maxBatchBytes'),
    flushIntervalMs: nonNegative(options.flushIntervalMs, 50, 'flushIntervalMs'),
    gzip: options.gzip ?? false,
    onError: options.onError,
    heartbeatIntervalMs: nonNegative(options.heartbeatIntervalMs, 5000, 'heartbeatIntervalMs'),
    publisherId: options.publisherId ?? `${service}-${Math.random().toString(36).slice(2, 10)}`,
    requestTimeoutMs: positive(options.requestTimeoutMs, 10_000, 'requestTimeoutMs'),
    retryBaseMs: positive(options.retryBaseMs, 100, 'retryBaseMs'),
    retryMaxMs: positive(options.retryMaxMs, 30_000, 'retryMaxMs'),
    closeTimeoutMs: nonNegative(options.closeTimeoutMs, 5000, 'closeTimeoutMs'),
    handleExit: options.handleExit ?? false,
    now: options.now ?? Date.now,
    timers: options.timers ?? realTimers,
    random: options.random ?? Math.random,
  };
  if (resolved.overflow !== 'drop-oldest' && resolved.overflow !== 'drop-newest') {
    throw new TypeError('options.overflow must be "drop-oldest" or "drop-newest"');
  }
  if (resolved.onError !== undefined && typeof resolved.onError !== 'function') {
    throw new TypeError('options.onError must be a function, such as (error) => console.warn(error)');
  }
  return resolved;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`options.${name} must be a number above 0`);
  return value;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0)
    throw new TypeError(`options.${name} must be a number of at least 0`);
  return value;
}
