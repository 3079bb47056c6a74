export type { AnsiColor, AnsiSegment, AnsiStyle } from './ansi/parseAnsi';
export { parseAnsi, stripAnsi } from './ansi/parseAnsi';
export type { TimeMode } from './format';
export { formatLogLine, toLogFile, toNdjson } from './format';
export { LogView } from './LogView';
export { mergeLogs } from './mergeLogs';
export type { LogViewProps, StatusInfo } from './options';
