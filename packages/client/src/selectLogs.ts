import { compareCursors, type LogEntry, type LogLevel, levelRank } from '@logs-sse/protocol';

/** Which entries a view shows: a predicate, or a lowest level and a case-insensitive text. */
export type LogsFilter = ((entry: LogEntry) => boolean) | { level?: LogLevel; search?: string };

export interface SelectLogsOptions {
  /** Most entries returned, newest kept. Defaults to all. */
  max?: number;
  /** Only entries newer than this cursor (what a "clear" button hid). Defaults to all. */
  after?: string;
  /** Lowest level shown; a `filter` object's `level` takes precedence. Defaults to all. */
  level?: LogLevel;
  filter?: LogsFilter;
}

/**
 * The entries a log view shows, for any UI binding: those newer than `after` that pass `level` and
 * `filter`, newest `max` kept. Returns the input array itself when nothing is left out, and one shared
 * empty array when nothing is left, so a view keeps the snapshot's identity wherever it can.
 *
 * @example
 * const shown = selectLogs(client.getLogs(channel), { max: 500, filter: { level: 'warn', search: 'disk' } });
 */
export function selectLogs(logs: readonly LogEntry[], options: SelectLogsOptions = {}): readonly LogEntry[] {
  const { max = logs.length, after, level, filter } = options;
  const custom = typeof filter === 'function' ? filter : undefined;
  const minRank = levelRank((typeof filter === 'object' && filter.level) || level || 'trace');
  const search = typeof filter === 'object' && filter.search ? filter.search.toLowerCase() : '';
  let view = logs;
  if (after !== undefined || minRank > 0 || search !== '' || custom !== undefined) {
    view = logs.filter(
      (entry) =>
        (after === undefined || compareCursors(entry.id, after) > 0) &&
        levelRank(entry.level) >= minRank &&
        (search === '' || entry.message.toLowerCase().includes(search)) &&
        (custom === undefined || custom(entry)),
    );
    if (view.length === logs.length) view = logs;
  }
  if (view.length === 0) return NONE;
  return view.length > max ? view.slice(view.length - max) : view;
}

/**
 * `older` then the entries of `newer` that come after the last of `older`, by cursor: a saved list and
 * a live buffer joined without repeats.
 */
export function appendNewer(older: readonly LogEntry[], newer: readonly LogEntry[]): readonly LogEntry[] {
  const last = older.at(-1);
  if (last === undefined) return newer;
  let first = 0;
  while (first < newer.length && compareCursors(newer[first]!.id, last.id) <= 0) first++;
  if (first === newer.length) return older;
  return older.concat(first === 0 ? newer : newer.slice(first));
}

// Pure, so that a bundle without selectLogs leaves it out.
const NONE: readonly LogEntry[] = /* @__PURE__ */ Object.freeze([]);
