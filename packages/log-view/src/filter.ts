import { type LogEntry, type LogLevel, levelRank } from '@logs-sse/protocol';

export interface EntryFilter {
  /** Lowest level kept. */
  level: LogLevel;
  /** Keep only the entries this holds (the entries with search matches), when given. */
  keep?: (entry: LogEntry, index: number) => boolean;
}

/** The entries at or above `level` (and kept by `keep`); the same array when every entry passes. */
export function filterEntries(entries: readonly LogEntry[], filter: EntryFilter): readonly LogEntry[] {
  const min = levelRank(filter.level);
  const { keep } = filter;
  if (min === 0 && keep === undefined) return entries;
  const kept = entries.filter(
    (entry, index) => levelRank(entry.level) >= min && (keep === undefined || keep(entry, index)),
  );
  return kept.length === entries.length ? entries : kept;
}
