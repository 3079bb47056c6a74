import { pino } from 'pino';
import { type GatewayLogger, SILENT_LOGGER } from '../logger';
import type { LogStore } from '../store/store';
import { jwtAlgorithms } from './checkAuth';
import { CREATE_GATEWAY_SOURCE, checkOptions, type NumericOption } from './checkOptions';
import type { CONFIG_FILE_SHAPE, GATEWAY_SHAPE } from './optionShapes';

/**
 * A static publisher token and the services whose channels it may publish to (`*` for any). The token
 * needs at least 16 characters, no whitespace, and may not also be a subscriber or admin token.
 */
export interface PublisherTokenOptions {
  token: string;
  /** Service names, or `['*']` for every service. Not empty. */
  services: string[];
}

/**
 * A static subscriber token and the channel patterns it may read, such as `logs:etl:*:*`. The token
 * needs at least 16 characters, no whitespace, and may not also be a publisher or admin token.
 */
export interface SubscriberTokenOptions {
  token: string;
  /** Channel patterns. Not empty. */
  channels: string[];
}

/**
 * JSON Web Tokens, checked with either a shared secret or a JWKS URL. Claims read: `services` (array of
 * service names the bearer may publish to) and `channels` (array of channel patterns it may read). A
 * token must carry `exp` unless `allowMissingExp` is set.
 *
 * @example
 * { secret: process.env.JWT_SECRET, algorithms: ['HS512'], issuer: 'https://auth.example.com' }
 */
export interface JwtOptions {
  /**
   * Shared secret for HMAC tokens, at least as many bytes as the hash of the longest algorithm allowed:
   * 32 for HS256, 48 for HS384, 64 for HS512. Give this or `jwksUrl`.
   */
  secret?: string;
  /** http(s) URL of a JSON Web Key Set, for asymmetric tokens. Give this or `secret`. */
  jwksUrl?: string;
  /**
   * The `alg` values accepted; any other is refused, so a token cannot pick a weaker one. HS256, HS384
   * and HS512 go with `secret`; RS*, PS*, ES*, EdDSA, Ed25519 and ML-DSA-* with `jwksUrl`. Defaults to
   * `['HS256']` with `secret`, and to every RS, PS, ES and EdDSA algorithm with `jwksUrl`.
   */
  algorithms?: string[];
  /** When set, the `iss` claim must equal it. Defaults to none (any issuer). */
  issuer?: string;
  /** When set, the `aud` claim must contain it. Defaults to none (any audience). */
  audience?: string;
  /**
   * Accept tokens without an `exp` claim, which stay valid until the key changes. Defaults to `false`:
   * such tokens are answered 401.
   */
  allowMissingExp?: boolean;
}

/**
 * Who may publish, read and administer. At least one of the four must be given; every static token
 * needs at least 16 characters and belongs to one role only.
 */
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

/**
 * How `POST /v1/logs` (OTLP) turns a log record into a channel and fields. The service is always the
 * resource's `service.name`; workspace and resource come from an attribute of the record, else of its
 * resource, else the defaults, so a service that sets none publishes to `logs:{service}:default:default`.
 *
 * @example
 * createGateway({ otlp: { workspaceAttribute: 'tenant.id', resourceAttribute: 'job.id' } });
 */
export interface OtlpOptions {
  /** Attribute naming the channel's workspace. Defaults to `'logs_sse.workspace_id'`. */
  workspaceAttribute?: string;
  /** Attribute naming the channel's resource. Defaults to `'logs_sse.resource_id'`. */
  resourceAttribute?: string;
  /** Workspace of records that name none. Defaults to `'default'`. */
  defaultWorkspace?: string;
  /** Resource of records that name none. Defaults to `'default'`. */
  defaultResource?: string;
  /**
   * Resource attributes copied into every entry as fields (record attributes of the same name win).
   * Defaults to `['service.version', 'service.instance.id', 'host.name']`.
   */
  resourceAttributes?: string[];
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
  /**
   * Under steady traffic, a stream written less than this many milliseconds ago waits until then, so that
   * one write carries several entries: at low rates a write, not a byte, is what costs the gateway CPU. A
   * stream that was quiet that long is written at once, so a lone entry is never delayed, and no entry
   * waits longer than this. `0` writes every stream once per event-loop turn. Defaults to `50`.
   */
  flushWindowMs?: number;
  /** Largest publish body, compressed and decompressed. Defaults to `1048576` (1 MiB). */
  maxBodyBytes?: number;
  /**
   * Most entries one publish request may hold; a larger batch is refused whole with 413 (publishers split
   * it and send the halves). Bounds the work one request costs. Defaults to `10000`.
   */
  maxEntriesPerPublish?: number;
  /**
   * How long a publish with an `Idempotency-Key` is remembered: a repeat with the same key from the same
   * token within this many seconds is answered as the first was and stores nothing. Defaults to `600`.
   */
  idempotencyWindowSeconds?: number;
  /**
   * Most idempotency records an in-memory gateway keeps; past it the least recently used is forgotten
   * (a Redis store keeps its records in Redis, each for the window). Defaults to `100000`.
   */
  idempotencyMaxKeys?: number;
  /** Most bytes of idempotency records an in-memory gateway keeps. Defaults to `33554432` (32 MiB). */
  idempotencyMaxBytes?: number;
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
  /**
   * Most attributes one OTLP log record may carry; a record with more is rejected and counted in the
   * answer's `partial_success`. Defaults to `128` (the OpenTelemetry SDKs' own default limit).
   */
  maxOtlpAttributes?: number;
  /** Origins allowed to call the gateway from browsers; `['*']` allows any. Defaults to `[]` (no CORS headers). */
  corsOrigins?: string[];
  /**
   * Tokens and JWT settings, or `'open'` to run without auth (then `listen` accepts loopback addresses
   * only). Defaults to `'open'`.
   */
  auth?: AuthOptions | 'open';
  /** Caps how fast each service may publish through this gateway. Defaults to none (no limit). */
  publishRateLimit?: PublishRateLimitOptions;
  /** How OTLP log records map to channels and fields. Defaults to the defaults of each of its options. */
  otlp?: OtlpOptions;
  /** Clock, for tests. Defaults to `Date.now`. */
  now?: () => number;
  /**
   * Where history lives. Defaults to an in-memory store built from `historyPerChannel`, `historyTtlSeconds`
   * and `maxHistoryBytes`. A store passed here is not closed by `gateway.close()`.
   */
  store?: LogStore;
}

export type ResolvedOptions = Required<
  Omit<GatewayOptions, 'auth' | 'logger' | 'store' | 'publishRateLimit' | 'otlp'>
> & {
  otlp: Required<OtlpOptions>;
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
  flushWindowMs: 50,
  maxBodyBytes: 1024 * 1024,
  maxEntriesPerPublish: 10_000,
  idempotencyWindowSeconds: 600,
  idempotencyMaxKeys: 100_000,
  idempotencyMaxBytes: 32 * 1024 * 1024,
  maxChannels: 100,
  retryMs: 2000,
  shutdownRetryMs: 250,
  closeTimeoutMs: 3000,
  stalledReaderTimeoutMs: 30_000,
  maxOtlpAttributes: 128,
} as const satisfies Record<NumericOption, number>;

const OTLP_DEFAULTS: Required<OtlpOptions> = {
  workspaceAttribute: 'logs_sse.workspace_id',
  resourceAttribute: 'logs_sse.resource_id',
  defaultWorkspace: 'default',
  defaultResource: 'default',
  resourceAttributes: ['service.version', 'service.instance.id', 'host.name'],
};

export type { NumericOption };
export const NUMERIC_OPTIONS = Object.keys(NUMERIC_DEFAULTS) as NumericOption[];

/** The one place where defaults meet what the caller passed, once `checkOptions` has accepted it. */
export function resolveOptions(options: GatewayOptions = {}): ResolvedOptions {
  checkOptions(options, CREATE_GATEWAY_SOURCE);
  const numbers: Record<NumericOption, number> = { ...NUMERIC_DEFAULTS };
  for (const key of NUMERIC_OPTIONS) numbers[key] = options[key] ?? NUMERIC_DEFAULTS[key];
  const limit = options.publishRateLimit;
  return {
    ...numbers,
    corsOrigins: options.corsOrigins ?? [],
    auth: resolveAuth(options.auth),
    otlp: resolveOtlp(options.otlp),
    publishRateLimit: limit && {
      entriesPerSecond: limit.entriesPerSecond,
      burst: limit.burst ?? limit.entriesPerSecond,
    },
    now: options.now ?? Date.now,
    logger: resolveLogger(options.logger),
  };
}

function resolveOtlp(otlp: OtlpOptions = {}): Required<OtlpOptions> {
  const resolved = { ...OTLP_DEFAULTS };
  for (const [key, value] of Object.entries(otlp) as [keyof OtlpOptions, never][]) {
    if (value !== undefined) resolved[key] = value;
  }
  return resolved;
}

function resolveAuth(auth: GatewayOptions['auth']): ResolvedOptions['auth'] {
  if (auth === undefined || auth === 'open') return undefined;
  return auth.jwt ? { ...auth, jwt: { ...auth.jwt, algorithms: [...jwtAlgorithms(auth.jwt)] } } : auth;
}

function resolveLogger(logger: GatewayOptions['logger']): GatewayLogger {
  if (logger === false) return SILENT_LOGGER;
  if (logger !== undefined) return logger;
  return pino({ name: 'logs-sse-gateway' }, pino.destination(2));
}

// The shapes that reject unknown keys must list exactly the options declared here: this fails to compile
// when an option is added to one and not the other.
type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : false;
type Expect<T extends true> = T;
export type OptionShapesMatch = [
  Expect<SameKeys<typeof GATEWAY_SHAPE, GatewayOptions>>,
  Expect<SameKeys<typeof GATEWAY_SHAPE.auth, AuthOptions>>,
  Expect<SameKeys<typeof GATEWAY_SHAPE.auth.jwt, JwtOptions>>,
  Expect<SameKeys<(typeof GATEWAY_SHAPE.auth.publishers)[0], PublisherTokenOptions>>,
  Expect<SameKeys<(typeof GATEWAY_SHAPE.auth.subscribers)[0], SubscriberTokenOptions>>,
  Expect<SameKeys<typeof GATEWAY_SHAPE.publishRateLimit, PublishRateLimitOptions>>,
  Expect<SameKeys<typeof GATEWAY_SHAPE.otlp, OtlpOptions>>,
  Expect<
    SameKeys<
      Omit<
        typeof CONFIG_FILE_SHAPE,
        'port' | 'host' | 'redis' | 'redisPrefix' | 'logLevel' | 'headersTimeoutMs' | 'requestTimeoutMs'
      >,
      Omit<GatewayOptions, 'logger' | 'now' | 'store'>
    >
  >,
];
