import { type Cursor, compareCursors, encodeSseEvent, type GapEvent } from '@logs-sse/protocol';
import type { GatewayContext } from '../context';
import type { HistoryRequest } from '../query';
import type { StoredEntry, StoreReadResult } from '../store/store';
import { writeFrames } from './sseResponse';
import { stallGuard } from './stallGuard';
import type { Subscriber } from './subscriber';

/** A long history event is written in pieces of this size, so the socket never holds much more unsent. */
const PIECE_BYTES = 64 * 1024;
/**
 * Most bytes of entries in one history event. A client must buffer a whole event before it can parse it
 * (`@logs-sse/client` gives up on one past 8 MB and reconnects, only to ask for the same history again),
 * and the gateway builds each event in memory: one event stays well under that.
 */
export const MAX_HISTORY_EVENT_BYTES = 4 * 1024 * 1024;

/**
 * Writes one `history` event per requested key, in request order, each after the gaps of its cursor.
 * Only entries at or before `start` (the stream's start point) are sent: later ones come as replayed or
 * live entries. Keys are read and written one at a time, so a stream holds one key's history at once.
 *
 * One event holds at most `historyPerChannel` entries and {@link MAX_HISTORY_EVENT_BYTES}, the newest: a
 * pattern's count applies to each matching channel, as on `/history`, and the total is then capped (the
 * store reads no more than the cap, so the cap comes before `level` and `q`: a filtered event of a pattern
 * may hold fewer entries than it would without the cap). What
 * the caps leave out of a cursor item is reported as a gap of its channel, so a client never takes a cut
 * history for a whole one.
 *
 * Resolves with the entries sent, or `undefined` when the stream closed or the store failed (the
 * response is then destroyed, as for a failed replay).
 */
export async function writeHistory(
  ctx: GatewayContext,
  sub: Subscriber,
  requests: readonly HistoryRequest[],
  start: Cursor | null,
): Promise<number | undefined> {
  let sent = 0;
  const write = stallGuard(ctx, sub.res, 'history events');
  for (const request of requests) {
    let entries: StoredEntry[] = [];
    let gaps: GapEvent[] = [];
    // Nothing was stored when the stream started: every history is empty.
    if (start !== null) {
      let result: StoreReadResult;
      try {
        result = await ctx.store.read({
          patterns: [request.pattern],
          after: request.after,
          tail: request.tail,
          upTo: start,
          // Only the newest of them can go out: reading no more keeps a pattern over many channels cheap.
          limit: ctx.options.historyPerChannel,
          newest: true,
        });
      } catch (error) {
        ctx.options.logger.error({ err: error, connectionId: sub.id }, 'history read failed');
        sub.res.destroy();
        return undefined;
      }
      const logs = kept(result.entries, sub, start, ctx.options.historyPerChannel);
      entries = logs.entries;
      for (const [channel, count] of result.cut ?? [])
        logs.cut.set(channel, (logs.cut.get(channel) ?? 0) + count);
      if (request.after !== null) gaps = withCutEntries(result.gaps, logs.cut, request.after);
    }
    const frames = gaps.map((gap) => Buffer.from(encodeSseEvent('gap', JSON.stringify(gap))));
    // Stored JSON is joined as it is, never parsed or serialised again.
    let data = `{"channel":${JSON.stringify(request.key)},"logs":[`;
    for (let i = 0; i < entries.length; i++) {
      data += i === 0 ? entries[i]!.json : `,${entries[i]!.json}`;
    }
    const frame = Buffer.from(encodeSseEvent('history', `${data}]}`));
    for (let at = 0; at < frame.length; at += PIECE_BYTES) frames.push(frame.subarray(at, at + PIECE_BYTES));
    sent += entries.length;
    ctx.metrics.logsOut += entries.length;
    if (!(await writeFrames(sub.res, frames, write))) return undefined;
  }
  return sent;
}

/**
 * The entries the stream accepts, up to `start`; the newest of them within `limit` entries and
 * {@link MAX_HISTORY_EVENT_BYTES}, and how many were cut per channel.
 */
function kept(
  entries: readonly StoredEntry[],
  sub: Subscriber,
  start: Cursor,
  limit: number,
): { entries: StoredEntry[]; cut: Map<string, number> } {
  // `upTo` already bounds them; checked again for a store that does not know it.
  const accepted = entries.filter((entry) => compareCursors(entry.id, start) <= 0 && sub.accepts(entry));
  const cut = new Map<string, number>();
  let from = Math.max(0, accepted.length - limit);
  // The frame's length is the JSON's UTF-8 bytes plus a few, never fewer than the characters a client buffers.
  let bytes = 0;
  for (let i = accepted.length - 1; i >= from; i--) {
    bytes += accepted[i]!.frame.length;
    if (bytes > MAX_HISTORY_EVENT_BYTES) from = i + 1;
  }
  for (let i = 0; i < from; i++) {
    const channel = accepted[i]!.channel;
    cut.set(channel, (cut.get(channel) ?? 0) + 1);
  }
  return { entries: from === 0 ? accepted : accepted.slice(from), cut };
}

/** The store's gaps, with the entries the cap left out added to their channel's count. */
function withCutEntries(gaps: GapEvent[], cut: Map<string, number>, from: Cursor): GapEvent[] {
  if (cut.size === 0) return gaps;
  const result = gaps.map((gap) => ({ ...gap, missed: gap.missed + (cut.get(gap.channel) ?? 0) }));
  const reported = new Set(gaps.map((gap) => gap.channel));
  for (const [channel, missed] of cut)
    if (!reported.has(channel)) result.push({ channel, missed, from, reason: 'dropped' });
  return result;
}
