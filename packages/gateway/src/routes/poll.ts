import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type Cursor,
  compareCursors,
  encodeSseEvent,
  encodeSseRetry,
  type HelloEvent,
} from '@logs-sse/protocol';
import { authorizeRead } from '../auth/authorizeRead';
import type { GatewayContext } from '../context';
import { sendError, sendShuttingDown, sendStoreUnavailable } from '../http/answers';
import type { ReadQuery } from '../query';
import type { StoreReadResult } from '../store/store';
import { nextTurn, READ_PAGE_ENTRIES } from '../stream/pagedRead';
import { writeFrames } from '../stream/sseResponse';
import { stallGuard } from '../stream/stallGuard';
import { writeHistory } from '../stream/streamHistory';
import { Subscriber } from '../stream/subscriber';

/** A poll's answer is complete when sent: a proxy may hold it whole, and it stays out of every cache. */
const POLL_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store, no-transform',
};

/**
 * How long a poll waits for an entry: 25 s, or less where heartbeats are frequent. A client takes an
 * answer silent for 2.5 heartbeat intervals for a stall, so a poll never waits 2.
 */
export function pollWaitMs(heartbeatSeconds: number): number {
  return Math.min(25_000, heartbeatSeconds * 2000);
}

/** Most of the past a first poll's `back` reaches into. */
export const MAX_POLL_BACK_MS = 5 * 60_000;

/**
 * `GET /api/logs/poll`: the long-poll form of `/api/logs/stream`, for a client behind a proxy that holds
 * back streams. The query, the token and the cursor (`Last-Event-ID`, `lastEventId` or `after`) are those
 * of a stream, and so is the answer's format: `retry:`, `hello`, the `history` events asked for, then the
 * gaps and entries after the cursor, as a complete `text/event-stream` body. A poll with a cursor and no
 * `history` waits until an entry it accepts is stored (up to {@link pollWaitMs}); any other answers at
 * once. One answer holds at most a page of entries; the next poll, from the last of them, gets the rest.
 *
 * `back=<ms>` on a first poll (no cursor): start where a stream opened that long ago would have, by the
 * gateway's clock. A client whose streams were held back before it knew any cursor sends how long it has
 * been trying, so that it misses nothing published meanwhile, whatever its own clock says.
 */
export async function pollRoute(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse, url: URL) {
  if (ctx.state.closing) {
    sendShuttingDown(res);
    return;
  }
  const after = url.searchParams.get('after');
  if (after !== null && req.headers['last-event-id'] === undefined && !url.searchParams.has('lastEventId')) {
    url.searchParams.set('lastEventId', after);
  }
  const rawBack = url.searchParams.get('back');
  if (rawBack !== null && !/^\d{1,15}$/.test(rawBack)) {
    sendError(res, 'invalid_query', '"back" must be a whole number of milliseconds');
    return;
  }
  const query = await authorizeRead(ctx, req, res, url, 'channels');
  if (!query) return;
  if (req.method === 'HEAD') {
    res.writeHead(200, POLL_HEADERS);
    res.end();
    return;
  }
  if (req.socket.destroyed) return;
  const connectionId = `p${(++ctx.state.connectionCounter).toString(36)}-${ctx.options.now().toString(36)}`;
  const sub = new Subscriber(connectionId, res, query.patterns, {
    minLevel: query.minLevel,
    query: query.query,
  });
  // A waiting poll counts as an open answer from the start, so that stats show it.
  ctx.answers.track(res);
  // Joined before the first read: an entry stored between the read and the wait still wakes the poll.
  const waiter = ctx.polls.join(sub);
  res.once('close', () => {
    sub.closed = true;
    ctx.polls.leave(waiter);
  });
  const deadline = ctx.options.now() + pollWaitMs(ctx.options.heartbeatSeconds);
  try {
    const back = query.resume || rawBack === null ? undefined : Math.min(Number(rawBack), MAX_POLL_BACK_MS);
    await answer(ctx, res, query, sub, back, () => ctx.polls.next(waiter, deadline - ctx.options.now()));
  } finally {
    ctx.polls.leave(waiter);
  }
}

async function answer(
  ctx: GatewayContext,
  res: ServerResponse,
  query: ReadQuery,
  sub: Subscriber,
  back: number | undefined,
  wait: () => Promise<boolean>,
): Promise<void> {
  // As on a stream: the start point covers every write acknowledged before the poll came.
  if (ctx.store.caughtUp) await ctx.store.caughtUp();
  let start = ctx.store.newestCursor();
  if (back !== undefined) {
    // "After the last cursor before T" is "at or after T".
    const from: Cursor = `${ctx.options.now() - back - 1}-999999999999999`;
    if (start !== null && compareCursors(from, start) < 0) start = from;
  }
  const hasHistory = query.history.length > 0;
  // As on a stream: history events hold entries up to the start point, the rest only later ones.
  let after = hasHistory
    ? query.resume
      ? query.after
      : start
    : (query.after ?? (back === undefined ? null : start));
  let page: StoreReadResult | undefined;
  try {
    if (after !== null || query.tail !== undefined) {
      for (;;) {
        page = await ctx.store.read({
          patterns: query.patterns,
          after,
          tail: query.tail,
          upTo: ctx.store.newestCursor() ?? undefined,
          limit: READ_PAGE_ENTRIES,
        });
        if (!query.resume || hasHistory || page.gaps.length > 0 || page.entries.some(accepts, sub)) break;
        // Nothing this poll takes yet: what its filters leave out is passed over, then it waits.
        const last = page.entries.at(-1);
        if (page.more && last) {
          after = last.id;
          await nextTurn();
          continue;
        }
        if (sub.closed || !(await wait())) break;
      }
    }
  } catch (error) {
    ctx.options.logger.error({ err: error, connectionId: sub.id }, 'poll read failed');
    sendStoreUnavailable(res);
    return;
  }
  if (sub.closed) return;
  res.writeHead(200, POLL_HEADERS);
  const hello: HelloEvent = {
    connectionId: sub.id,
    heartbeatSeconds: ctx.options.heartbeatSeconds,
    channels: query.patterns.map((p) => p.source),
    cursor: start,
  };
  // While the gateway shuts down, the next poll waits as long as a stream would before coming back.
  const retryMs = ctx.state.closing ? ctx.options.shutdownRetryMs : ctx.options.retryMs;
  res.write(encodeSseRetry(retryMs) + encodeSseEvent('hello', JSON.stringify(hello)));
  if (
    hasHistory &&
    (await writeHistory(ctx, sub, query.history, query.resume ? query.after : start)) === undefined
  )
    return;
  const frames: Buffer[] = [];
  if (page) {
    if (query.reportGaps) {
      for (const gap of page.gaps) frames.push(Buffer.from(encodeSseEvent('gap', JSON.stringify(gap))));
    }
    for (const entry of page.entries) {
      if (!sub.accepts(entry)) continue;
      frames.push(entry.frame);
      ctx.metrics.logsOut++;
    }
  }
  if (await writeFrames(res, frames, stallGuard(ctx, res, 'poll'))) res.end();
}

function accepts(this: Subscriber, entry: Parameters<Subscriber['accepts']>[0]): boolean {
  return this.accepts(entry);
}
