import type { LogEntry } from '@logs-sse/protocol';
import { plainMessage } from './entryText';

/** A case-insensitive search for the literal text `query`, or `undefined` for an empty query. */
export function searchPattern(query: string): RegExp | undefined {
  if (query === '') return undefined;
  return new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
}

/** Where `pattern` matches in `text`: pairs of start and end offsets, in order, not overlapping. */
export function findMatches(text: string, pattern: RegExp): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    found.push([m.index, m.index + m[0].length]);
  }
  return found;
}

function countIn(text: string, pattern: RegExp): number {
  let count = 0;
  pattern.lastIndex = 0;
  while (pattern.exec(text) !== null) count++;
  return count;
}

/** The matches of one search over a list of entries, to count them and step through them. */
export interface MatchIndex {
  /** Matches in all. */
  total: number;
  /** Index in the list of each entry that has matches, ascending. */
  rows: number[];
  /** Matches before each of `rows` (the global number of its first match). */
  before: number[];
}

export const NO_MATCHES: MatchIndex = { total: 0, rows: [], before: [] };

/**
 * Counts the matches of `pattern` in each entry's visible message. `cache` (one per pattern) keeps each
 * entry's count, so a new batch costs only its new entries, not another pass over 100,000 messages.
 */
export function indexMatches(
  entries: readonly LogEntry[],
  pattern: RegExp | undefined,
  cache: WeakMap<LogEntry, number>,
): MatchIndex {
  if (pattern === undefined) return NO_MATCHES;
  const rows: number[] = [];
  const before: number[] = [];
  let total = 0;
  for (let i = 0; i < entries.length; i++) {
    const count = matchCount(entries[i]!, pattern, cache);
    if (count > 0) {
      rows.push(i);
      before.push(total);
      total += count;
    }
  }
  return { total, rows, before };
}

/** Matches of `pattern` in an entry's visible message, kept in `cache` (one cache per pattern). */
export function matchCount(entry: LogEntry, pattern: RegExp, cache: WeakMap<LogEntry, number>): number {
  let count = cache.get(entry);
  if (count === undefined) {
    count = countIn(plainMessage(entry), pattern);
    cache.set(entry, count);
  }
  return count;
}

/** Which entry holds the match numbered `match` (0-based), and which of its matches it is. */
export function locateMatch(index: MatchIndex, match: number): { row: number; nth: number } | undefined {
  if (match < 0 || match >= index.total) return undefined;
  let lo = 0;
  let hi = index.rows.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (index.before[mid]! <= match) lo = mid;
    else hi = mid - 1;
  }
  return { row: index.rows[lo]!, nth: match - index.before[lo]! };
}
