import type { RedisOptions } from 'ioredis';
import { type GatewayLogger, SILENT_LOGGER } from '../../logger';

export interface RedisStoreOptions {
  /** Redis to use, `redis://` or `rediss://`. Defaults to `redis://127.0.0.1:6379`. */
  url?: string;
  /** More ioredis options (TLS, password, Sentinel, ...); those the store relies on are set over them. Defaults to `{}`. */
  redisOptions?: RedisOptions;
  /** Namespace of every key. Defaults to `logs-sse`. */
  prefix?: string;
  /** Entries kept per channel (at least; Redis trims in whole blocks). Defaults to `1000`. */
  historyPerChannel?: number;
  /** A channel's history is dropped this many seconds after its last write. Defaults to `86400` (24 h). */
  historyTtlSeconds?: number;
  /** Entries the shared live feed keeps, so a gateway that paused briefly reads on without a detour. Defaults to `10000`. */
  feedLength?: number;
  /** A write Redis has not answered in this many milliseconds fails (publish answers 503). Defaults to `2000`. */
  commandTimeoutMs?: number;
  /** How long one feed read waits for new entries, in milliseconds. Defaults to `5000`. */
  blockMs?: number;
  /**
   * Under steady traffic the live feed is read at most once per this many milliseconds, so that one read
   * brings every entry of the window; after a quiet window an entry is read at once. Match it to the
   * gateway's `flushWindowMs` (the CLI does). From `0` (a read per publish) to `1000`. Defaults to `50`.
   */
  readWindowMs?: number;
  /** Most channels one wildcard read or catch-up reads. Defaults to `1000`. */
  maxChannelsPerRead?: number;
  /** How long a read waits for this gateway's feed to reach the newest id before reading. Defaults to `2000`. */
  feedWaitMs?: number;
  /** How often `stats()` figures are refreshed from Redis, in milliseconds. Defaults to `10000`. */
  statsIntervalMs?: number;
  /** Logger for connection events; `false` for none. Defaults to `false`. */
  logger?: GatewayLogger | false;
  /** Clock for `storedAt` and lag, for tests. Defaults to `Date.now`. */
  now?: () => number;
}

export type ResolvedRedisStoreOptions = Required<Omit<RedisStoreOptions, 'logger' | 'redisOptions'>> & {
  logger: GatewayLogger;
  redisOptions: RedisOptions;
};

/** Every default of the Redis store lives here; misuse throws with a message that says what to pass. */
export function resolveRedisStoreOptions(options: RedisStoreOptions): ResolvedRedisStoreOptions {
  const resolved: ResolvedRedisStoreOptions = {
    url: options.url ?? 'redis://127.0.0.1:6379',
    redisOptions: options.redisOptions ?? {},
    prefix: options.prefix ?? 'logs-sse',
    historyPerChannel: options.historyPerChannel ?? 1000,
    historyTtlSeconds: options.historyTtlSeconds ?? 86_400,
    feedLength: options.feedLength ?? 10_000,
    commandTimeoutMs: options.commandTimeoutMs ?? 2000,
    blockMs: options.blockMs ?? 5000,
    readWindowMs: options.readWindowMs ?? 50,
    maxChannelsPerRead: options.maxChannelsPerRead ?? 1000,
    feedWaitMs: options.feedWaitMs ?? 2000,
    statsIntervalMs: options.statsIntervalMs ?? 10_000,
    logger: options.logger || SILENT_LOGGER,
    now: options.now ?? Date.now,
  };
  if (!/^rediss?:\/\//.test(resolved.url)) {
    throw new TypeError(`RedisStore: url must start with redis:// or rediss://, got "${resolved.url}"`);
  }
  if (resolved.prefix === '' || /[\s*?[\]]/.test(resolved.prefix)) {
    throw new TypeError('RedisStore: prefix must be non-empty, without spaces or glob characters (*?[])');
  }
  for (const key of [
    'historyPerChannel',
    'historyTtlSeconds',
    'feedLength',
    'commandTimeoutMs',
    'blockMs',
    'maxChannelsPerRead',
    'feedWaitMs',
    'statsIntervalMs',
  ] as const) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < 1) {
      throw new TypeError(`RedisStore: ${key} must be a positive integer, got ${String(value)}`);
    }
  }
  const window = resolved.readWindowMs;
  if (!Number.isInteger(window) || window < 0 || window > 1000) {
    throw new TypeError(`RedisStore: readWindowMs must be an integer from 0 to 1000, got ${String(window)}`);
  }
  return resolved;
}
