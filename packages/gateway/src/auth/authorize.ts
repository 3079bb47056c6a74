import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayContext } from '../context';
import { bearerToken, sendError } from '../http';
import type { Grant } from './auth';

/** Resolves the request's grant, or answers 401 and resolves `undefined`. */
export async function authorize(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<Grant | undefined> {
  const result = await ctx.auth.check(bearerToken(req, url));
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
