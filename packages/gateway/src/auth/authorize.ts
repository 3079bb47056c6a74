import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_PATHS } from '@logs-sse/protocol';
import type { GatewayContext } from '../context';
import { bearerToken, sendError } from '../http/answers';
import type { Grant } from './auth';

/** Where a browser's `EventSource` (or a plain link) may be the client, which cannot send headers. */
const QUERY_TOKEN_PATHS: ReadonlySet<string> = new Set([API_PATHS.stream, API_PATHS.poll, API_PATHS.history]);

/**
 * Resolves the request's grant, or answers and resolves `undefined`: 401 without a valid token, 400 when
 * the token is sent in a way the endpoint does not take (also in open mode, so that turning auth on
 * changes no answer but 401 and 403).
 */
export async function authorize(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<Grant | undefined> {
  const token = bearerToken(req, url, QUERY_TOKEN_PATHS.has(url.pathname));
  if (!token.ok) {
    sendError(res, 'invalid_query', token.message);
    return undefined;
  }
  const result = await ctx.auth.check(token.token);
  if (result.ok) return result.grant;
  deny(ctx, res, result.code, result.message);
  return undefined;
}

export function deny(
  ctx: GatewayContext,
  res: ServerResponse,
  code: 'unauthorized' | 'forbidden',
  message: string,
) {
  ctx.metrics.authFailures++;
  sendError(res, code, message, code === 'unauthorized' ? { headers: { 'www-authenticate': 'Bearer' } } : {});
}
