export type { GatewayStats } from './context';
export type { Gateway, ListenOptions } from './createGateway';
export { createGateway, isLoopback } from './createGateway';
export type { GatewayErrorCode } from './errors';
export { GatewayError } from './errors';
export type {
  AuthOptions,
  GatewayLogger,
  GatewayOptions,
  JwtOptions,
  PublisherTokenOptions,
  PublishRateLimitOptions,
  SubscriberTokenOptions,
} from './options';
export { ChannelPattern } from './patterns';
export type { PublisherInfo } from './publishers';
export type { MemoryStoreOptions } from './store/memoryStore';
export { MemoryStore } from './store/memoryStore';
export type { RedisSide } from './store/redisStats';
export type { RedisStoreStats } from './store/redisStore';
export { RedisStore } from './store/redisStore';
export type { RedisStoreErrorCode } from './store/redisStoreError';
export { RedisStoreError } from './store/redisStoreError';
export type { RedisStoreOptions } from './store/redisStoreOptions';
export type {
  LogStore,
  StoredEntry,
  StoreListener,
  StoreQuery,
  StoreReadResult,
  StoreStats,
} from './store/store';
