import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorizeRead } from '../auth/authorizeRead';
import type { GatewayContext } from '../context';
import { sendShuttingDown } from '../http/answers';
import { openSse } from '../stream/sseResponse';

/**
 * `HEAD /api/logs/stream`: the status and headers a GET with the same query and token would get (503 while
 * shutting down, 400, 401, 403, or 200 with the stream's headers) and no stream: nothing joins the fan-out,
 * no `hello` is written, no connection is counted, and the response ends at once.
 */
export async function streamHeadRoute(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) {
  if (ctx.state.closing) {
    sendShuttingDown(res);
    return;
  }
  if (!(await authorizeRead(ctx, req, res, url, 'channels'))) return;
  openSse(res);
  res.end();
}
