import { type Cursor, compareCursors, type GapEvent } from '@logs-sse/protocol';
import type { ChannelPattern } from '../patterns';

/**
 * `gap` events with reason `reset` for a read after `after` from a history that began after `epoch`: the
 * cursor was handed out by a history that is gone (a restarted in-memory gateway, a flushed Redis), so
 * what its reader missed cannot be counted. One per channel or pattern of the read, as it was asked for.
 */
export function resetGaps(
  patterns: readonly ChannelPattern[],
  after: Cursor | null,
  epoch: Cursor | null,
): GapEvent[] {
  // `0-0` is where every history starts (a client that saw nothing yet says so): never another epoch.
  if (after === null || after === '0-0' || epoch === null || compareCursors(after, epoch) >= 0) return [];
  const gaps: GapEvent[] = [];
  const seen = new Set<string>();
  for (const { source } of patterns) {
    if (seen.has(source)) continue;
    seen.add(source);
    gaps.push({ channel: source, missed: 0, from: after, reason: 'reset' });
  }
  return gaps;
}
