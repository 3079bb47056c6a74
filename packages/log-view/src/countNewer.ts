import { compareCursors, type LogEntry } from '@logs-sse/protocol';

/** Entries of `entries` (oldest first) newer than the cursor `after`, counted from the end. */
export function countNewer(entries: readonly LogEntry[], after: string | undefined): number {
  if (after === undefined) return entries.length;
  let count = 0;
  for (let i = entries.length - 1; i >= 0 && compareCursors(entries[i]!.id, after) > 0; i--) count++;
  return count;
}

/**
 * How many entries at the front of `previous` are gone from `next`, when `next` is `previous` with its
 * oldest entries dropped (and maybe new ones added); `undefined` when it is some other list.
 */
export function droppedFromFront(
  previous: readonly LogEntry[],
  next: readonly LogEntry[],
): number | undefined {
  const first = next[0];
  if (first === undefined || previous.length === 0) return undefined;
  if (previous[0] === first) return 0;
  // Both lists are in cursor order: find where `next` starts in `previous` by bisection.
  let lo = 0;
  let hi = previous.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareCursors(previous[mid]!.id, first.id) < 0) lo = mid + 1;
    else hi = mid;
  }
  return previous[lo] === first ? lo : undefined;
}
