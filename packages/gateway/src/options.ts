import { pino } from 'pino';
import { GatewayError } from './errors';
import { type GatewayLogger, SILENT_LOGGER } from './logger';
import type { LogStore } from './store/store';

/** A static publisher token and the services whose channels it may publish to (`*` for any). */
export interface PublisherTokenOptions {
  token: string;
  services: string[];
}

/** A static subscriber token and the channel patterns it may read, such as `logs:etl:*:*`. */
export interface SubscriberTokenOptions {
  token: string;
  channels: string[];
}

/**
 * JSON Web Tokens, checked with either a shared HS256 secret or a JWKS URL. Claims read: `services`
 * (array of service names the bearer may publish to) and `channels` (array of channel patterns it may read).
 */
export interface JwtOptions {
  /** Shared secret for HS256/HS384/HS512 tokens. Give this or `jwksUrl`. */
  secret?: string;
  /** URL of a JSON Web Key Set, for asymmetric tokens. Give this or `secret`. */
  jwksUrl?: string;
  /** When set, the `iss` claim must equal it. */
  issuer?: string;
  /** When set, the `aud` claim must contain it. */
  audience?: string;
}

/** Who may publish, read and administer. Leave out entirely to run open (loopback addresses only). */
export interface AuthOptions {
  publishers?: PublisherTokenOptions[];
  subscribers?: SubscriberTokenOptions[];
  jwt?: JwtOptions;
  /** Token for `/admin/logs/stats` and `/metrics`. Without it those answer 403 while auth is on. */
  adminToken?: string;
}

/**
 * A token bucket per service: the `service` segment of each entry's channel. A publish request that
 * finds its service's bucket empty is answered 429 `rate_limited` with `Retry-After`, and nothing of it
 * is stored. The limit holds per gateway process: N gateways let a service through up to N times over.
 *
 * @example
 * createGateway({ publishRateLimit: { entriesPerSecond: 5000, burst: 20_000 } });
 */
export interface PublishRateLimitOptions {
  /** Entries per second each service may publish, on average. Required; a number above 0. */
  entriesPerSecond: number;
  /**
   * Entries a service may publish at once after being idle. A single batch larger than this is still
   * accepted once; the service then waits until its bucket has refilled past zero. Defaults to
   * `entriesPerSecond` (one second's worth).
   */
  burst?: number;
}

export interface GatewayOptions {
  /** Logger for the gateway's own events; `false` turns logging off. Defaults to a pino logger on stderr. */
  logger?: GatewayLogger | false;
  /** Seconds between heartbeat comments on every stream. Defaults to `15`. */
  heartbeatSeconds?: number;
  /** Entries kept per channel for `tail`, `since` and resume. Defaults to `1000`. */
  historyPerChannel?: number;
  /** Entries older than this many seconds are dropped from history. Defaults to `86400` (24 h). */
  historyTtlSeconds?: number;
  /** Memory cap for all kept history, in bytes; the oldest entries go first. Defaults to `134217728` (128 MiB). */
  maxHistoryBytes?: number;
  /** A subscriber whose unsent bytes pass this is disconnected (it resumes from its cursor). Defaults to `1048576` (1 MiB). */
  maxBufferedBytes?: number;
  /** Largest publish body, compressed and decompressed. Defaults to `1048576` (1 MiB). */
  maxBodyBytes?: number;
  /**
   * Most entries one publish request may hold; a larger batch is refused whole with 413 (publishers split
   * it and send the halves). Bounds the work one request costs. Defaults to `10000`.
   */
  maxEntriesPerPublish?: number;
  /** Most channels and patterns on one stream. Defaults to `100`. */
  maxChannels?: number;
  /** `retry:` sent at the start of every stream, in milliseconds. Defaults to `2000`. */
  retryMs?: number;
  /** `retry:` sent to streams when the gateway shuts down, in milliseconds. Defaults to `250`. */
  shutdownRetryMs?: number;
  /** How long `close()` waits for requests in flight before cutting connections. Defaults to `3000`. */
  closeTimeoutMs?: number;
  /**
   * A history answer or replay whose reader takes none of what is waiting for this long is cut off; until
   * then it holds at most about `maxBufferedBytes`. Defaults to `30000`.
   */
  stalledReaderTimeoutMs?: number;
  /** Origins allowed to call the gateway from browsers; `['*']` allows any. Defaults to `[]` (no CORS headers). */
  corsOrigins?: string[];
  /** Tokens and JWT settings. Defaults to none: the gateway runs open, and only listens on loopback addresses. */
  auth?: AuthOptions;
  /** Caps how fast each service may publish through this gateway. Defaults to none (no limit). */
  publishRateLimit?: PublishRateLimitOptions;
  /** Clock, for tests. Defaults to `Date.now`. */
  now?: () => number;
  /**
   * Where history lives. Defaults to an in-memory store built from `historyPerChannel`, `historyTtlSeconds`
   * and `maxHistoryBytes`. A store passed here is not closed by `gateway.close()`.
   */
  store?: LogStore;
}

export type ResolvedOptions = Required<
  Omit<GatewayOptions, 'auth' | 'logger' | 'store' | 'publishRateLimit'>
> & {
  auth: AuthOptions | undefined;
  logger: GatewayLogger;
  publishRateLimit: Required<PublishRateLimitOptions> | undefined;
};

const NUMERIC_DEFAULTS = {
  heartbeatSeconds: 15,
  historyPerChannel: 1000,
  historyTtlSeconds: 86_400,
  maxHistoryBytes: 128 * 1024 * 1024,
  maxBufferedBytes: 1024 * 1024,
  maxBodyBytes: 1024 * 1024,
  maxEntriesPerPublish: 10_000,
  maxChannels: 100,
  retryMs: 2000,
  shutdownRetryMs: 250,
  closeTimeoutMs: 3000,
  stalledReaderTimeoutMs: 30_000,
} as const;

export type NumericOption = keyof typeof NUMERIC_DEFAULTS;
export const NUMERIC_OPTIONS = Object.keys(NUMERIC_DEFAULTS) as NumericOption[];

/** The one place where defaults meet what the caller passed. */
export function resolveOptions(options: GatewayOptions = {}): ResolvedOptions {
  const numbers = { ...NUMERIC_DEFAULTS } as Record<NumericOption, number>;
  for (const key of NUMERIC_OPTIONS) {
    const value = options[key];
    if (value === undefined) continue;
    const min =
      key === 'heartbeatSeconds' || key === 'historyTtlSeconds'
        ? 0.001
        : key.endsWith('Ms') && key !== 'stalledReaderTimeoutMs'
          ? 0
          : 1;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      throw new GatewayError('invalid_options', `${key} must be a number >= ${min}, got ${String(value)}`);
    }
    numbers[key] = value;
  }
  if (
    !Number.isInteger(numbers.historyPerChannel) ||
    !Number.isInteger(numbers.maxChannels) ||
    !Number.isInteger(numbers.maxEntriesPerPublish)
  ) {
    throw new GatewayError(
      'invalid_options',
      'historyPerChannel, maxChannels and maxEntriesPerPublish must be whole numbers',
    );
  }
  const corsOrigins = options.corsOrigins ?? [];
  if (!Array.isArray(corsOrigins) || corsOrigins.some((o) => typeof o !== 'string')) {
    throw new GatewayError(
      'invalid_options',
      'corsOrigins must be an array of origins such as "https://app.example.com"',
    );
  }
  return {
    ...numbers,
    corsOrigins,
    auth: options.auth,
    publishRateLimit: resolveRateLimit(options.publishRateLimit),
    now: options.now ?? Date.now,
    logger: resolveLogger(options.logger),
  };
}

function resolveRateLimit(
  limit: GatewayOptions['publishRateLimit'],
): Required<PublishRateLimitOptions> | undefined {
  if (limit === undefined) return undefined;
  if (typeof limit !== 'object' || limit === null) {
    throw new GatewayError(
      'invalid_options',
      'publishRateLimit must be an object such as { entriesPerSecond: 5000, burst: 20000 }',
    );
  }
  const { entriesPerSecond, burst = entriesPerSecond } = limit;
  for (const [name, value] of [
    ['entriesPerSecond', entriesPerSecond],
    ['burst', burst],
  ] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new GatewayError(
        'invalid_options',
        `publishRateLimit.${name} must be a number above 0, got ${String(value)}`,
      );
    }
  }
  return { entriesPerSecond, burst };
}

function resolveLogger(logger: GatewayOptions['logger']): GatewayLogger {
  if (logger === false) return SILENT_LOGGER;
  if (logger !== undefined) return logger;
  return pino({ name: 'logs-sse-gateway' }, pino.destination(2));
}
