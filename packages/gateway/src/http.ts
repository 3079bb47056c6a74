import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERROR_STATUS, type ErrorCode, errorBody, type RejectedEntry } from '@logs-sse/protocol';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  sendRawJson(res, status, JSON.stringify(body), headers);
}

/** Sends JSON that is already serialised (history is assembled from stored JSON, never re-encoded). */
export function sendRawJson(
  res: ServerResponse,
  status: number,
  json: string,
  headers: Record<string, string> = {},
) {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(json)),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(json);
}

export function sendError(
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  extra: { headers?: Record<string, string>; rejected?: RejectedEntry[]; rejectedCount?: number } = {},
) {
  const body = errorBody(code, message);
  if (extra.rejected) body.error.rejected = extra.rejected;
  if (extra.rejectedCount !== undefined) body.error.rejectedCount = extra.rejectedCount;
  sendJson(res, ERROR_STATUS[code], body, extra.headers);
}

/** The bearer token from `Authorization: Bearer`, or from the `access_token` query for EventSource. */
export function bearerToken(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? match[1] : undefined;
  }
  return url.searchParams.get('access_token') ?? undefined;
}
