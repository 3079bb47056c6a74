export type { GatewayStats } from './context';
export type { Gateway, ListenOptions } from './createGateway';
export { createGateway } from './createGateway';
export type { GatewayErrorCode } from './errors';
export { GatewayError } from './errors';
export type { GatewayLogger } from './logger';
export type {
  AuthOptions,
  GatewayOptions,
  JwtOptions,
  OtlpOptions,
  PublisherTokenOptions,
  PublishRateLimitOptions,
  SubscriberTokenOptions,
} from './options/options';
export { ChannelPattern } from './patterns';
export type { PublisherInfo } from './publishers';
export type { MemoryStoreOptions } from './store/memory/memoryStore';
export { MemoryStore } from './store/memory/memoryStore';
export type {
  LogStore,
  StoredEntry,
  StoreListener,
  StoreQuery,
  StoreReadResult,
  StoreStats,
} from './store/store';
