export { createLogsClient } from './client';
export type { LogsClientErrorCode } from './errors';
export { LogsClientError } from './errors';
export type { LogsClient } from './logsClient';
export type { ClientTimers, LogsClientOptions, ReconnectOptions, SubscribeOptions } from './options';
export type { LogsFilter, SelectLogsOptions } from './selectLogs';
export { appendNewer, selectLogs } from './selectLogs';
export type { ClientStatus, LogsClientStats, StatusListener } from './status';
