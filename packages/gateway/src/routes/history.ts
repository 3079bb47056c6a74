import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorizeRead } from '../auth/authorizeRead';
import type { GatewayContext } from '../context';
import { sendError, sendRawJson } from '../http';
import { passesFilter } from '../stream/subscriber';

/** `GET /api/logs/history?channel=&tail=&since=&level=&q=` -> `{"logs": [...]}`, oldest first. */
export async function historyRoute(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse, url: URL) {
  const query = await authorizeRead(ctx, req, res, url, 'channel');
  if (!query) return;
  let result: Awaited<ReturnType<typeof ctx.store.read>>;
  try {
    result = await ctx.store.read({ patterns: query.patterns, after: query.after, tail: query.tail });
  } catch {
    sendError(res, 'unavailable', 'the log store is unavailable; retry later', {
      headers: { 'retry-after': '1' },
    });
    return;
  }
  const filter = { minLevel: query.minLevel, query: query.query };
  let json = '{"logs":[';
  let first = true;
  for (const entry of result.entries) {
    if (!passesFilter(filter, entry)) continue;
    json += first ? entry.json : `,${entry.json}`;
    first = false;
  }
  sendRawJson(res, 200, `${json}]}`);
}
