import type { Cursor } from '@logs-sse/protocol';
import type { StoreStats } from '../store';

/** Health of the Redis side of one gateway, for `/admin/logs/stats` and `/metrics`. */
export interface RedisSide {
  /** Both connections (commands and feed) are up. */
  connected: boolean;
  /** Times a connection came back after being lost. */
  reconnects: number;
  /** Connection errors reported by the client (refused, reset, timed out). */
  connectionErrors: number;
  /** Appends Redis refused or did not answer in time (each one a 503 to a publisher). */
  writeErrors: number;
  /** Failed feed reads; each is followed by a resume from the last delivered id. */
  feedErrors: number;
  /** Times the feed had been trimmed past this gateway and entries were read from channel streams. */
  feedCatchUps: number;
  /** Milliseconds between an entry's id and its arrival here, for the last feed batch. */
  feedLagMs: number;
  /** Id of the last entry this gateway received from the feed. */
  lastId: Cursor | null;
  /** Bytes Redis uses in all (`used_memory`), as of the last refresh. */
  usedMemoryBytes: number;
}

/** What a Redis store's `stats()` returns: the shared history figures and this gateway's Redis side. */
export interface RedisStoreStats extends StoreStats {
  redis: RedisSide;
}

/** The Redis side of a store's stats, when the store is a Redis store. */
export function redisSideOf(stats: StoreStats): RedisSide | undefined {
  return 'redis' in stats ? (stats as RedisStoreStats).redis : undefined;
}
