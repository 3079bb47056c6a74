import type { IncomingMessage, ServerResponse } from 'node:http';
import { isPublisherId, isValidSegment, MAX_FIELD_DEPTH, withinDepth } from '@logs-sse/protocol';
import { canPublish } from '../auth/auth';
import { authorize, deny } from '../auth/authorize';
import type { GatewayContext } from '../context';
import { sendError } from '../http/answers';
import { closeAfterAnswer, readBody, refuseBody } from '../http/body';

/**
 * A publisher's stats are a few counters. The registry keeps them per token (100 entries and 256 kB
 * each by default), so this cap is also what one heartbeat can take of a token's share.
 */
const MAX_HEARTBEAT_BYTES = 16 * 1024;

/** `POST /api/logs/publishers/heartbeat`: `{publisherId, service, stats}` from a publisher; 204. */
export async function publisherHeartbeatRoute(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) {
  const grant = await authorize(ctx, req, res, url);
  if (!grant) return;
  // As on publish: a token that may publish nowhere is refused before its body is read.
  if (grant.services !== '*' && grant.services.size === 0) {
    closeAfterAnswer(res);
    deny(ctx, res, 'forbidden', 'this token may not publish: it has no services');
    return;
  }
  // As on publish: JSON (or no type, as curl sends), never a form body or text.
  const media = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (media !== '' && media !== 'application/json' && !media.endsWith('+json')) {
    sendError(res, 'unsupported_media_type', 'send application/json');
    return;
  }
  const body = await readBody(req, Math.min(MAX_HEARTBEAT_BYTES, ctx.options.maxBodyBytes));
  if (!body.ok) {
    refuseBody(res, body.code, body.message);
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(body.body.toString('utf8'));
  } catch {
    sendError(res, 'invalid_json', 'the body is not valid JSON');
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    sendError(res, 'invalid_entry', 'send {"publisherId": "...", "service": "...", "stats": {...}}');
    return;
  }
  const { publisherId, service, stats } = value as Record<string, unknown>;
  if (!isPublisherId(publisherId)) {
    sendError(res, 'invalid_entry', '"publisherId" must be 1 to 128 printable characters');
    return;
  }
  if (service !== undefined && !isValidSegment(service)) {
    sendError(res, 'invalid_entry', '"service" must match [A-Za-z0-9_.-]{1,128}');
    return;
  }
  if (stats !== undefined && (typeof stats !== 'object' || stats === null || Array.isArray(stats))) {
    sendError(res, 'invalid_entry', '"stats" must be an object');
    return;
  }
  // Kept and served again by /admin/logs/stats: nesting that deep would break serialising it there.
  if (!withinDepth(stats, MAX_FIELD_DEPTH)) {
    sendError(res, 'invalid_entry', `"stats" is nested deeper than ${MAX_FIELD_DEPTH} levels`);
    return;
  }
  if (service !== undefined && !canPublish(grant, service)) {
    deny(ctx, res, 'forbidden', 'this token may not publish for this service');
    return;
  }
  // Kept under the caller's identity: a token can replace its own publishers' stats, never another's.
  ctx.publishers.heartbeat(
    publisherId,
    service ?? null,
    (stats ?? {}) as Record<string, unknown>,
    grant.identity,
  );
  res.writeHead(204);
  res.end();
}
