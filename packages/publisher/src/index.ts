export type { Bindings } from './entryEncoder';
export type { OverflowPolicy, PublisherOptions, PublisherTimers } from './options';
export type { LogsPublisher, PublishEntry, StatusFields } from './publisher';
export { createLogsPublisher } from './publisher';
export type { PublisherErrorCode } from './publisherError';
export { PublisherError } from './publisherError';
export type { ConnectionStatus, DroppedBy, PublisherStats } from './stats';
