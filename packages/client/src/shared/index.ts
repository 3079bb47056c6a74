export { createSharedLogsClient } from './createSharedLogsClient';
export type { SharedLogsClientOptions, ShareOptions } from './options';
