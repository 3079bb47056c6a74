// `@logs-sse/gateway/redis`: the Redis store, its own entry so that a gateway without Redis never loads ioredis.
export type { RedisSide, RedisStoreStats } from './store/redis/redisSide';
export { RedisStore } from './store/redis/redisStore';
export type { RedisStoreErrorCode } from './store/redis/redisStoreError';
export { RedisStoreError } from './store/redis/redisStoreError';
export type { RedisStoreOptions } from './store/redis/redisStoreOptions';
