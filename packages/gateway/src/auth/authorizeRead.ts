import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayContext } from '../context';
import { sendError } from '../http/answers';
import { isCovered } from '../patterns';
import { parseReadQuery, type ReadQuery } from '../query';
import { authorize, deny } from './authorize';

/**
 * The preamble of every read (`/stream` and `/history`): checks the token, parses the query and makes
 * sure the token may read every requested channel or pattern. Answers the request itself (401, 403 or
 * 400) and resolves `undefined` when the read may not go ahead.
 */
export async function authorizeRead(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  channelParam: 'channels' | 'channel',
): Promise<ReadQuery | undefined> {
  const grant = await authorize(ctx, req, res, url);
  if (!grant) return undefined;
  const parsed = parseReadQuery(url, req.headers, ctx.options, channelParam);
  if (!parsed.ok) {
    sendError(res, parsed.code, parsed.message);
    return undefined;
  }
  const allowed = grant.channels;
  if (allowed !== '*') {
    const denied = parsed.query.patterns.find((pattern) => !isCovered(pattern, allowed));
    if (denied) {
      deny(ctx, res, 'forbidden', `this token may not read ${denied.source}`);
      return undefined;
    }
  }
  return parsed.query;
}
