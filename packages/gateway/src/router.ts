import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_PATHS } from '@logs-sse/protocol';
import type { GatewayContext } from './context';
import { healthRoute, metricsRoute, readyRoute, statsRoute } from './routes/admin';
import { historyRoute } from './routes/history';
import { publishRoute } from './routes/publish';
import { publisherHeartbeatRoute } from './routes/publisherHeartbeat';
import { streamRoute } from './routes/stream';

export type Route = (ctx: GatewayContext, req: IncomingMessage, res: ServerResponse, url: URL) => unknown;

/** Every endpoint, by path and method. */
export const ROUTES: Record<string, Partial<Record<'GET' | 'POST', Route>>> = {
  [API_PATHS.publish]: { POST: publishRoute },
  [API_PATHS.publisherHeartbeat]: { POST: publisherHeartbeatRoute },
  [API_PATHS.stream]: { GET: streamRoute },
  [API_PATHS.history]: { GET: historyRoute },
  [API_PATHS.health]: { GET: healthRoute },
  [API_PATHS.ready]: { GET: readyRoute },
  [API_PATHS.stats]: { GET: statsRoute },
  [API_PATHS.metrics]: { GET: metricsRoute },
};
