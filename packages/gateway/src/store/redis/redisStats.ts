import type { Redis } from 'ioredis';
import type { GatewayLogger } from '../../logger';
import type { RedisFeed } from './redisFeed';
import type { RedisKeys } from './redisScript';
import type { RedisSide } from './redisSide';

/**
 * Counters for the Redis side, and the deployment-wide history figures, which `stats()` must return
 * without waiting: refreshed from Redis every `intervalMs` and whenever a connection becomes ready.
 */
export class RedisStats {
  writeErrors = 0;
  reconnects = 0;
  connectionErrors = 0;
  private channels = 0;
  private entries = 0;
  private evicted = 0;
  private usedMemory = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  /** Told whenever a connection closes or becomes ready. */
  readonly onChange = new Set<() => void>();
  private readonly changed = () => {
    for (const listener of this.onChange) listener();
  };

  constructor(
    private readonly redis: Redis,
    private readonly reader: Redis,
    private readonly keys: RedisKeys,
    private readonly logger: GatewayLogger,
    intervalMs: number,
  ) {
    for (const connection of [redis, reader]) {
      let connectedBefore = false;
      let reported = false;
      connection.on('ready', () => {
        if (connectedBefore) {
          this.reconnects++;
          logger.info({ reconnects: this.reconnects }, 'redis connection restored');
        }
        connectedBefore = true;
        reported = false;
        void this.refresh();
      });
      // Without a listener, an 'error' event would be thrown; reconnecting is ioredis' job.
      connection.on('error', (error: Error) => {
        this.connectionErrors++;
        // One line per outage, not one per reconnect attempt.
        if (!reported) logger.warn({ err: error }, 'redis connection error');
        reported = true;
      });
      connection.on('end', () => logger.debug({}, 'redis connection ended'));
      connection.on('close', this.changed);
      connection.on('ready', this.changed);
    }
    this.timer = setInterval(() => void this.refresh(), intervalMs);
    this.timer.unref?.();
  }

  /** Resolves when either connection next becomes ready or closes. */
  nextChange(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        for (const connection of [this.redis, this.reader]) {
          connection.off('ready', done);
          connection.off('end', done);
        }
        resolve();
      };
      for (const connection of [this.redis, this.reader]) {
        connection.once('ready', done);
        connection.once('end', done);
      }
    });
  }

  connected(): boolean {
    return this.redis.status === 'ready' && this.reader.status === 'ready';
  }

  snapshot(feed: RedisFeed) {
    return {
      channels: this.channels,
      entries: this.entries,
      bytes: this.usedMemory,
      evicted: this.evicted,
      redis: {
        connected: this.connected(),
        reconnects: this.reconnects,
        connectionErrors: this.connectionErrors,
        writeErrors: this.writeErrors,
        feedErrors: feed.errors,
        feedCatchUps: feed.catchUps,
        feedLagMs: feed.lagMs,
        lastId: feed.lastId ?? null,
        usedMemoryBytes: this.usedMemory,
      } satisfies RedisSide,
    };
  }

  close(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    if (this.redis.status !== 'ready') return;
    try {
      const [channels, figures, memory] = await Promise.all([
        this.redis.zcard(this.keys.channels),
        this.redis.hmget(this.keys.stats, 'kept', 'evicted'),
        this.redis.info('memory'),
      ]);
      this.channels = channels;
      this.entries = Math.max(0, Number(figures[0] ?? 0));
      this.evicted = Number(figures[1] ?? 0);
      this.usedMemory = Number(/used_memory:(\d+)/.exec(memory)?.[1] ?? 0);
    } catch (error) {
      this.logger.debug({ err: error }, 'redis stats refresh failed');
    }
  }
}
