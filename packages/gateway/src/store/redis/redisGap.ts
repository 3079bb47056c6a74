import { type Cursor, compareCursors, type GapEvent } from '@logs-sse/protocol';
import type { StreamInfo } from './redisEntry';

/**
 * A gap when entries newer than `after` were trimmed (`cut` is the newest trimmed id). The count is exact
 * when `after` is at or before the first entry of the channel's current stream, as every other trimmed
 * entry is then newer; otherwise it is 1, a lower bound: which trimmed ids lay before `after` is not kept.
 */
export function gapOf(
  channel: string,
  after: Cursor,
  info: StreamInfo,
  first: string | null,
  cut: Cursor,
): GapEvent | undefined {
  if (compareCursors(cut, after) <= 0) return undefined;
  const trimmed = info.entriesAdded - info.length;
  let missed = 1;
  if (first !== null) {
    const order = compareCursors(after, first);
    // At the stream's very first entry, all trimmed entries but that one are newer.
    if (order < 0) missed = Math.max(1, trimmed);
    else if (order === 0) missed = Math.max(1, trimmed - 1);
  }
  return { channel, missed, from: after, reason: 'dropped' };
}
