import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorizeRead } from '../auth/authorizeRead';
import type { GatewayContext } from '../context';
import { sendStoreUnavailable } from '../http/answers';
import type { StoreReadResult } from '../store/store';
import { readPages } from '../stream/pagedRead';
import { writeChunk } from '../stream/sseResponse';
import { stallGuard } from '../stream/stallGuard';
import { passesFilter } from '../stream/subscriber';

const HISTORY_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/**
 * `GET /api/logs/history?channel=&tail=&since=&level=&q=` -> `{"logs": [...]}`, oldest first.
 *
 * The answer is read from the store a page at a time and written as the reader takes it, never assembled
 * whole: a history of any size costs a page of memory, and a reader that stops reading is cut off after
 * `stalledReaderTimeoutMs`. It holds what was stored when the request came, not what arrives during it.
 */
export async function historyRoute(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse, url: URL) {
  const query = await authorizeRead(ctx, req, res, url, 'channel');
  if (!query) return;
  if (req.method === 'HEAD') {
    // The length is only known by writing the answer; a HEAD learns the rest without the work.
    res.writeHead(200, HISTORY_HEADERS);
    res.end();
    return;
  }
  const filter = { minLevel: query.minLevel, query: query.query };
  // Every write acknowledged before the request, also where a shared store's live feed lags.
  if (ctx.store.caughtUp) await ctx.store.caughtUp();
  const upTo = ctx.store.newestCursor() ?? undefined;
  const pages = readPages(ctx.store, {
    patterns: query.patterns,
    after: query.after,
    tail: query.tail,
    upTo,
  });
  let page: StoreReadResult;
  try {
    // The first page decides the status: a store that is down gets a 503 the client can retry.
    page = (await pages.next()).value as StoreReadResult;
  } catch {
    sendStoreUnavailable(res);
    return;
  }
  ctx.answers.track(res);
  res.writeHead(200, HISTORY_HEADERS);
  const write = stallGuard(ctx, res, 'history');
  let json = '{"logs":[';
  let first = true;
  try {
    for (;;) {
      for (const entry of page.entries) {
        if (!passesFilter(filter, entry)) continue;
        json += first ? entry.json : `,${entry.json}`;
        first = false;
      }
      if (!(await writeChunk(res, json, write))) return;
      json = '';
      const next = await pages.next();
      if (next.done) break;
      page = next.value;
    }
  } catch (error) {
    // The status is out: all that is left is to cut the answer short, which the client sees as an error.
    ctx.options.logger.error({ err: error }, 'history read failed mid-answer');
    res.destroy();
    return;
  }
  res.end(']}');
}
