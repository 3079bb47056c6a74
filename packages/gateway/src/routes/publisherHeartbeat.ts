import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidSegment } from '@logs-sse/protocol';
import { canPublish } from '../auth';
import { readBody } from '../body';
import type { GatewayContext } from '../context';
import { sendError } from '../http';
import { authorize, deny } from './authorize';
import { refuseBody } from './publish';

const MAX_HEARTBEAT_BYTES = 64 * 1024;

/** `POST /api/logs/publishers/heartbeat`: `{publisherId, service, stats}` from a publisher; 204. */
export async function publisherHeartbeatRoute(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) {
  const grant = await authorize(ctx, req, res, url);
  if (!grant) return;
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
  if (typeof publisherId !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(publisherId)) {
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
  const publishes = grant.services === '*' || grant.services.size > 0;
  if (!publishes || (service !== undefined && !canPublish(grant, service))) {
    deny(ctx, res, 'forbidden', 'this token may not publish for this service');
    return;
  }
  ctx.publishers.heartbeat(publisherId, service ?? null, (stats ?? {}) as Record<string, unknown>);
  res.writeHead(204);
  res.end();
}
