import type { Auth } from './auth/auth';
import type { IdempotencyCache } from './idempotency/idempotencyCache';
import type { Metrics } from './metrics';
import type { ResolvedOptions } from './options/options';
import type { PublisherInfo, PublisherRegistry } from './publishers';
import type { RateLimiter } from './rateLimiter';
import type { RedisSide } from './store/redis/redisSide';
import type { LogStore } from './store/store';
import type { Fanout } from './stream/fanout';
import type { OpenAnswers } from './stream/pagedRead';
import type { PollWaiters } from './stream/pollWaiters';

/** The object `GET /admin/logs/stats` and `gateway.stats()` return. */
export interface GatewayStats {
  /** Open streams. */
  connections: number;
  /**
   * Answers other than live streams being written (`/history`, `follow=false`), the bytes they hold
   * unsent, and how many were cut off because their reader stopped reading.
   */
  answers: { open: number; bufferedBytes: number; stalled: number };
  /** Open streams by channel or pattern they asked for. */
  subscriptions: Record<string, number>;
  publishers: PublisherInfo[];
  /** Entries accepted, sent to streams, refused as invalid or forbidden, refused by `publishRateLimit`. */
  logs: { in: number; out: number; rejected: number; rateLimited: number };
  dropped: { slowSubscribers: number; evictedEntries: number };
  history: { channels: number; entries: number; bytes: number };
  /** Process memory, plus the bytes all open streams hold unsent (socket buffers and queues). */
  memory: { rss: number; heapUsed: number; heapTotal: number; external: number; streamBufferedBytes: number };
  startedAt: string;
  uptimeSeconds: number;
  /** With a Redis store: its connections, errors, feed lag and memory. */
  redis?: RedisSide;
}

/** Everything a route needs; one per gateway. */
export interface GatewayContext {
  readonly options: ResolvedOptions;
  readonly auth: Auth;
  readonly store: LogStore;
  readonly fanout: Fanout;
  /** `/history` answers and `follow=false` replays being written. */
  readonly answers: OpenAnswers;
  /** Long polls waiting for an entry. */
  readonly polls: PollWaiters;
  readonly metrics: Metrics;
  readonly publishers: PublisherRegistry;
  /** Idempotency records kept by this gateway: present when the store keeps none of its own. */
  readonly idempotency: IdempotencyCache | undefined;
  /** Present when `publishRateLimit` is set. */
  readonly rateLimiter: RateLimiter | undefined;
  readonly state: { closing: boolean; connectionCounter: number; readonly startedAt: number };
}
