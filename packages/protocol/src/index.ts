export type { ChannelParts } from './channel';
export {
  CHANNEL_PREFIX,
  formatChannel,
  isChannelPattern,
  isValidChannel,
  isValidChannelPattern,
  isValidSegment,
  matchChannel,
  parseChannel,
} from './channel';
export type { Cursor } from './cursor';
export { CursorClock, compareCursors, cursorTime, isCursor } from './cursor';
export type {
  DoneEntry,
  EntryType,
  EntryValidation,
  LogEntry,
  NormalizedEntry,
  StatusEntry,
  ValidateEntryOptions,
} from './entry';
export {
  ENTRY_TYPES,
  MAX_FIELD_DEPTH,
  MAX_MESSAGE_LENGTH,
  MAX_PHASE_LENGTH,
  MAX_PROGRESS,
  normalizeTimestamp,
  validateEntry,
  withinDepth,
} from './entry';
export type { ErrorBody, ErrorCode, RejectedEntry } from './errors';
export {
  ERROR_CODES,
  ERROR_STATUS,
  errorBody,
  isErrorCode,
  MAX_REJECTED_LISTED,
  parseErrorBody,
} from './errors';
export type {
  EndOfHistoryEvent,
  GapEvent,
  GapReason,
  HelloEvent,
  HistoryEvent,
  HistoryResponse,
  PublisherHeartbeat,
  PublishResult,
  StreamEventMap,
  StreamEventName,
} from './events';
export { API_PATHS, HISTORY_SEPARATOR, isPublisherId, PUBLISHER_ID_HEADER, STREAM_EVENTS } from './events';
export {
  formatIdempotencyKey,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  parseIdempotencyKey,
} from './idempotency';
export type { LogLevel } from './level';
export { isLogLevel, LOG_LEVELS, levelRank, normalizeLevel } from './level';
export { isRetryableStatus, parseRetryAfter } from './retry';
export { encodeSseComment, encodeSseEvent, encodeSseRetry } from './sse';
