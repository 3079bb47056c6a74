/**
 * The keys allowed at each level of the options: `null` for a value not looked into, a shape for a
 * nested object, `[shape]` for an array of such objects.
 */
export type Shape = { readonly [key: string]: Shape | readonly [Shape] | null };

// options.ts checks at compile time that these list exactly the keys of its interfaces.
const PUBLISHER = { token: null, services: null } as const;
const SUBSCRIBER = { token: null, channels: null } as const;
const JWT = {
  secret: null,
  jwksUrl: null,
  issuer: null,
  audience: null,
  algorithms: null,
  allowMissingExp: null,
} as const;
const AUTH = {
  publishers: [PUBLISHER],
  subscribers: [SUBSCRIBER],
  jwt: JWT,
  adminToken: null,
} as const;
const RATE_LIMIT = { entriesPerSecond: null, burst: null } as const;
const OTLP = {
  workspaceAttribute: null,
  resourceAttribute: null,
  defaultWorkspace: null,
  defaultResource: null,
  resourceAttributes: null,
} as const;

const COMMON = {
  heartbeatSeconds: null,
  historyPerChannel: null,
  historyTtlSeconds: null,
  maxHistoryBytes: null,
  maxBufferedBytes: null,
  flushWindowMs: null,
  maxBodyBytes: null,
  maxEntriesPerPublish: null,
  idempotencyWindowSeconds: null,
  idempotencyMaxKeys: null,
  idempotencyMaxBytes: null,
  maxChannels: null,
  retryMs: null,
  shutdownRetryMs: null,
  closeTimeoutMs: null,
  stalledReaderTimeoutMs: null,
  maxOtlpAttributes: null,
  corsOrigins: null,
  auth: AUTH,
  publishRateLimit: RATE_LIMIT,
  otlp: OTLP,
} as const;

/** What `createGateway` takes. */
export const GATEWAY_SHAPE = {
  ...COMMON,
  logger: null,
  now: null,
  store: null,
} as const;

/** What the config file of the command line takes: no code, plus where to listen and what to log. */
export const CONFIG_FILE_SHAPE = {
  ...COMMON,
  port: null,
  host: null,
  redis: null,
  redisPrefix: null,
  logLevel: null,
  headersTimeoutMs: null,
  requestTimeoutMs: null,
} as const satisfies Shape;

/** Why a top-level key of the other kind of options is not accepted here, and what to use instead. */
export const ELSEWHERE: { readonly gateway: Record<string, string>; readonly file: Record<string, string> } =
  {
    gateway: {
      port: 'it is an option of listen(), not of createGateway()',
      host: 'it is an option of listen(), not of createGateway()',
      headersTimeoutMs: 'it is an option of listen(), not of createGateway()',
      requestTimeoutMs: 'it is an option of listen(), not of createGateway()',
      logLevel: 'pass a logger set to that level as "logger"',
      redis: 'pass a RedisStore from @logs-sse/gateway/redis as "store"',
      redisPrefix: 'pass a RedisStore from @logs-sse/gateway/redis as "store"',
    },
    file: {
      logger: 'the config file sets the level of the logs with "logLevel"',
      now: 'only createGateway() takes it',
      store: 'the config file takes "redis" and "redisPrefix"',
    },
  };
