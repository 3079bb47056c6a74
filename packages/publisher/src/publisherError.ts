/** Why a delivery went wrong. */
export type PublisherErrorCode =
  /** The gateway could not be reached, or the connection broke. Retried. */
  | 'network_error'
  /** No answer within `requestTimeoutMs`. Retried. */
  | 'timeout'
  /** The gateway answered 5xx. Retried. */
  | 'server_error'
  /** The gateway answered 429. Retried after its `Retry-After`. */
  | 'rate_limited'
  /** The gateway answered 401 or 403: the token or service is not allowed. Dropped. */
  | 'refused'
  /** The gateway found entries invalid (400, or rejections in a 202). Dropped. */
  | 'invalid_entries'
  /** One entry alone is larger than the gateway accepts (413). Dropped. */
  | 'payload_too_large'
  /** Any other answer the gateway should not give. Dropped. */
  | 'unexpected_status';

/** A delivery fault, handed to `onError` and kept as `stats().lastError`; never thrown at the caller. */
export class PublisherError extends Error {
  override readonly name = 'PublisherError';

  constructor(
    readonly code: PublisherErrorCode,
    message: string,
    /** HTTP status of the answer, when there was one. */
    readonly status?: number,
    /** How many entries the fault concerns. */
    readonly entries = 0,
  ) {
    super(message);
  }
}
