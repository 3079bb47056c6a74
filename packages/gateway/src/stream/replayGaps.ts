import type { GapEvent } from '@logs-sse/protocol';
import type { ReadQuery } from '../query';

/**
 * The gaps a replay writes: a `reset` gap of a channel or pattern that had a `history` item is left out.
 * Its history event came from the new history and went out first (after its own gaps), so a reset
 * reported after it would have a client drop entries it has just been sent.
 */
export function replayGaps(gaps: readonly GapEvent[], query: Pick<ReadQuery, 'history'>): GapEvent[] {
  if (query.history.length === 0) return gaps as GapEvent[];
  const served = new Set(query.history.map((item) => item.key));
  return gaps.filter((gap) => gap.reason !== 'reset' || !served.has(gap.channel));
}
