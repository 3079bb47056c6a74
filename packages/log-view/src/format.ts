import type { LogEntry } from '@logs-sse/protocol';
import { plainMessage } from './entryText';
import { extraFields } from './fields';

/** How rows show their time: the reader's zone, UTC, or not at all. */
export type TimeMode = 'local' | 'utc' | 'off';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `HH:mm:ss.SSS` of an ISO timestamp, in the reader's zone or in UTC. */
export function formatTime(timestamp: string, mode: Exclude<TimeMode, 'off'>): string {
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) return timestamp;
  if (mode === 'utc') {
    return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}`;
  }
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/**
 * One entry as a line of a `.log` file: timestamp, level, channel, the message as shown (no escape
 * codes) and the publisher's own fields as JSON. A multi-line message keeps its line breaks.
 */
export function formatLogLine(entry: LogEntry): string {
  const fields = extraFields(entry);
  const extra = fields.length === 0 ? '' : ` ${JSON.stringify(Object.fromEntries(fields))}`;
  return `${entry.timestamp} ${entry.level.toUpperCase().padEnd(5)} [${entry.channel}] ${plainMessage(entry)}${extra}`;
}

/** The entries as a `.log` file, one line each. */
export function toLogFile(entries: readonly LogEntry[]): string {
  let out = '';
  for (const entry of entries) out += `${formatLogLine(entry)}\n`;
  return out;
}

/** The entries as NDJSON: each entry whole (cursor, channel, fields, the message as sent), one per line. */
export function toNdjson(entries: readonly LogEntry[]): string {
  let out = '';
  for (const entry of entries) out += `${JSON.stringify(entry)}\n`;
  return out;
}
