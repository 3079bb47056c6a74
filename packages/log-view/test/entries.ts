import type { LogEntry, LogLevel } from '@logs-sse/protocol';

let next = 0;

/** A log entry as the gateway sends it, with a fresh cursor unless one is given. */
export function entry(message: string, extra: Partial<LogEntry> & { level?: LogLevel } = {}): LogEntry {
  next++;
  return {
    id: `1700000000000-${next}`,
    type: 'log',
    channel: 'logs:etl:demo:nightly',
    timestamp: '2026-11-24T12:34:56.789Z',
    level: 'info',
    message,
    ...extra,
  };
}
