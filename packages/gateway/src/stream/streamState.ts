import { type Cursor, encodeSseEvent } from '@logs-sse/protocol';
import type { GatewayContext } from '../context';
import { writeFrames } from './sseResponse';
import { stallGuard } from './stallGuard';
import type { Subscriber } from './subscriber';

/**
 * Writes the newest `status` and `done` entry of each channel of the stream, up to its start, so a
 * progress bar or a panel opened mid-run shows where the run stands before anything new is published.
 * They go out without `id:`: they are older than the stream's start point and must not move a
 * client's resume point back. At most `historyPerChannel` entries, the newest. Resolves `false` when
 * the stream closed or the store failed (the response is then destroyed).
 */
export async function writeState(
  ctx: GatewayContext,
  sub: Subscriber,
  start: Cursor | null,
): Promise<boolean> {
  if (start === null || !ctx.store.latestState) return true;
  let frames: Buffer[];
  try {
    const state = await ctx.store.latestState(sub.patterns, start, ctx.options.historyPerChannel);
    frames = state.map((entry) => Buffer.from(encodeSseEvent(entry.type, entry.json)));
  } catch (error) {
    ctx.options.logger.error({ err: error, connectionId: sub.id }, 'state read failed');
    sub.res.destroy();
    return false;
  }
  if (frames.length === 0) return true;
  ctx.metrics.logsOut += frames.length;
  return writeFrames(sub.res, frames, stallGuard(ctx, sub.res, 'state'));
}
