import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError } from './answers';

const ALLOW_HEADERS = 'authorization, content-type, content-encoding, last-event-id, x-publisher-id';

/** Whether `corsOrigins` lets pages of `origin` call the gateway (`*` lets any). */
export function isAllowedOrigin(origin: string, origins: readonly string[]): boolean {
  return origins.includes('*') || origins.includes(origin);
}

/**
 * Adds CORS headers for allowed origins. Returns `true` when it answered the request itself (a preflight).
 */
export function handleCors(req: IncomingMessage, res: ServerResponse, origins: readonly string[]): boolean {
  const origin = req.headers.origin;
  const allowed = origin !== undefined && isAllowedOrigin(origin, origins);
  if (allowed) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
  }
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
  if (!allowed) {
    sendError(
      res,
      'forbidden',
      `origin ${JSON.stringify(String(origin).slice(0, 200))} is not in corsOrigins: add it there to let its pages call this gateway`,
    );
    return true;
  }
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': ALLOW_HEADERS,
    'access-control-max-age': '600',
  });
  res.end();
  return true;
}
