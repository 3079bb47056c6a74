import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayContext } from '../context';
import { sendError, sendRawJson } from '../http';
import { isCovered } from '../patterns';
import { parseReadQuery } from '../query';
import { passesFilter } from '../subscriber';
import { authorize, deny } from './authorize';

/** `GET /api/logs/history?channel=&tail=&since=&level=&q=` -> `{"logs": [...]}`, oldest first. */
export async function historyRoute(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse, url: URL) {
  const grant = await authorize(ctx, req, res, url);
  if (!grant) return;
  const parsed = parseReadQuery(url, req.headers, ctx.options, 'channel');
  if (!parsed.ok) {
    sendError(res, parsed.code, parsed.message);
    return;
  }
  const query = parsed.query;
  if (grant.channels !== '*') {
    const allowed = grant.channels;
    const denied = query.patterns.find((p) => !isCovered(p, allowed));
    if (denied) {
      deny(ctx, res, 'forbidden', `this token may not read ${denied.source}`);
      return;
    }
  }
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
