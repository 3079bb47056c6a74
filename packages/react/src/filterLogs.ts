import { compareCursors, type LogEntry, type LogLevel, levelRank } from '@logs-sse/protocol';

/** Keeps the entries a hook shows: a predicate, or a minimum level and a case-insensitive search. */
export type LogsFilter = ((entry: LogEntry) => boolean) | { level?: LogLevel; search?: string };

/**
 * The newest `maxLogs` entries newer than `after` that pass `level` and `filter`; the input array itself
 * when nothing is left out, so that an unfiltered view keeps the snapshot's identity.
 */
export function viewOf(
  logs: readonly LogEntry[],
  maxLogs: number,
  after?: string,
  level?: LogLevel,
  filter?: LogsFilter,
): readonly LogEntry[] {
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
  return view.length > maxLogs ? view.slice(view.length - maxLogs) : view;
}

/** Every empty view is this one array, so that an empty list keeps its identity across snapshots. */
const NONE: readonly LogEntry[] = Object.freeze([]);
