export type { ClientStatus, LogsClient, LogsClientErrorCode, LogsFilter } from '@logs-sse/client';
// A class, so that code holding a hook's `error` can test `instanceof` without importing the client.
export { LogsClientError } from '@logs-sse/client';
export type { LogEntry, LogLevel, StatusEntry } from '@logs-sse/protocol';
export type { ChannelSelector } from './channelOf';
export type { LogsSSEProviderProps } from './LogsSSEProvider';
export { LogsSSEProvider } from './LogsSSEProvider';
export type { PersistenceOption, PersistenceStorage } from './persistence/storage';
export type { LogsConnection } from './useLogsConnection';
export { useLogsConnection } from './useLogsConnection';
export type { UseLogsSSEOptions, UseLogsSSEResult } from './useLogsSSE';
export { useLogsSSE } from './useLogsSSE';
export type { LogsStatus } from './useLogsStatus';
export { useLogsStatus } from './useLogsStatus';
