import type { ServerResponse } from 'node:http';
import type { GatewayContext } from '../context';
import type { WriteOptions } from './sseResponse';

/**
 * How a long answer (`/history`, a replay, history events) is written for `res`: it ends when `res`
 * closes, and a reader that takes nothing for `stalledReaderTimeoutMs` is cut off and counted.
 */
export function stallGuard(ctx: GatewayContext, res: ServerResponse, what: string): WriteOptions {
  let closed = res.destroyed;
  res.once('close', () => {
    closed = true;
  });
  return {
    isClosed: () => closed,
    stallTimeoutMs: ctx.options.stalledReaderTimeoutMs,
    onStall: () => {
      ctx.answers.stalled++;
      ctx.options.logger.warn(
        { what, unsentBytes: res.writableLength, timeoutMs: ctx.options.stalledReaderTimeoutMs },
        'reader stalled: answer cut off',
      );
    },
  };
}
