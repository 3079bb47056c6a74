export type RedisStoreErrorCode = 'unavailable' | 'closed';

/** Why the Redis store refused a call: Redis cannot be reached (`unavailable`), or the store was closed. */
export class RedisStoreError extends Error {
  constructor(
    readonly code: RedisStoreErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'RedisStoreError';
  }
}
