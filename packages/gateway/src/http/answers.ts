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

export type BearerToken = { ok: true; token: string | undefined } | { ok: false; message: string };

/**
 * The bearer token of a request: from `Authorization: Bearer`, or, where `queryAllowed`, from the
 * `access_token` query parameter (for `EventSource`, which cannot send headers). A token sent both ways, two
 * `access_token` parameters, or one where it is not allowed, is refused: the request is ambiguous, or puts
 * a token in a URL, where proxies, histories and access logs keep it.
 */
export function bearerToken(req: IncomingMessage, url: URL, queryAllowed: boolean): BearerToken {
  const header = req.headers.authorization;
  // Another scheme (Basic, for a proxy in front) is not for the gateway; browsers resend it on their own.
  const bearer = header !== undefined && /^Bearer(\s|$)/i.test(header);
  const query = url.searchParams.getAll('access_token');
  if (query.length > 0 && !queryAllowed) {
    return {
      ok: false,
      message: `${url.pathname.slice(0, 200)} takes no access_token: send the token as "Authorization: Bearer <token>"`,
    };
  }
  if (query.length > 1) return { ok: false, message: 'send one access_token, not several' };
  if (query.length === 1 && bearer) {
    return {
      ok: false,
      message: 'send the token once: in the Authorization header or as access_token, not both',
    };
  }
  if (bearer) return { ok: true, token: /^Bearer\s+(\S+)\s*$/i.exec(header!)?.[1] };
  return { ok: true, token: query[0] || undefined };
}

/** 503 with `Retry-After: 1`: the store cannot be read or written now. */
export function sendStoreUnavailable(res: ServerResponse) {
  sendError(res, 'unavailable', 'the log store is unavailable; retry later', {
    headers: { 'retry-after': '1' },
  });
}

/** 503 with `Retry-After: 1`: this gateway is closing; another (or this one, restarted) will answer. */
export function sendShuttingDown(res: ServerResponse) {
  sendError(res, 'unavailable', 'the gateway is shutting down; retry later', {
    headers: { 'retry-after': '1' },
  });
}
