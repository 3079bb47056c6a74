import type { PublisherErrorCode } from './publisherError';

/** Where the publisher stands with the gateway. */
export type ConnectionStatus =
  /** Nothing sent yet. */
  | 'idle'
  /** The last request got an answer. */
  | 'connected'
  /** The last request failed and will be retried. */
  | 'retrying'
  /** The gateway refused the token or service (401/403). */
  | 'refused'
  /** `close()` was called. */
  | 'closed';

/** Why entries were dropped, by count. */
export interface DroppedBy {
  /** The queue was full (entries or bytes); which entry went depends on `overflow`. */
  overflow: number;
  /** Not an entry the gateway can store, found here or by the gateway (400, or a rejection in a 202). */
  invalid: number;
  /** The gateway refused the token or service (401/403) or answered an unexpected 4xx. */
  refused: number;
  /** One entry alone was over `maxBatchBytes`, `maxQueueBytes`, or the gateway's body limit (413). */
  tooLarge: number;
  /** Published after `close()`, or still queued when its deadline passed. */
  closed: number;
}

export interface PublisherStats {
  /** Every call to `publish`, `status` and `done`, queued or not. */
  generated: number;
  /** Entries the gateway accepted. */
  sent: number;
  /** Sum of `droppedBy`. `generated === sent + dropped + queueSize` at all times. */
  dropped: number;
  droppedBy: DroppedBy;
  /** Entries waiting or in flight. */
  queueSize: number;
  /** Characters of serialised entries waiting or in flight. */
  queueBytes: number;
  /** Requests the gateway answered with 202. */
  batchesSent: number;
  /** Requests sent again after a network error, timeout, 429 or 5xx. */
  retries: number;
  lastError: { code: PublisherErrorCode; message: string; status?: number; at: number } | null;
  connectionStatus: ConnectionStatus;
}
