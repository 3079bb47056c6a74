import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_PATHS } from '@logs-sse/protocol';
import type { GatewayContext } from './context';
import { healthRoute, metricsRoute, readyRoute, statsRoute } from './routes/admin';
import { historyRoute } from './routes/history';
import { OTLP_LOGS_PATH, otlpLogsRoute } from './routes/otlpLogs';
import { pollRoute } from './routes/poll';
import { publishRoute } from './routes/publish';
import { publisherHeartbeatRoute } from './routes/publisherHeartbeat';
import { streamRoute } from './routes/stream';
import { streamHeadRoute } from './routes/streamHead';

export type Route = (ctx: GatewayContext, req: IncomingMessage, res: ServerResponse, url: URL) => unknown;

export type Method = 'GET' | 'HEAD' | 'POST';

/**
 * Every endpoint, by path and method. HEAD runs the GET route: Node sends the headers it writes (with the
 * same `content-length`) and drops the body. The stream has a HEAD route of its own, which opens no stream.
 */
export const ROUTES: Record<string, Partial<Record<Method, Route>>> = {
  [API_PATHS.publish]: { POST: publishRoute },
  [API_PATHS.publisherHeartbeat]: { POST: publisherHeartbeatRoute },
  [API_PATHS.stream]: { GET: streamRoute, HEAD: streamHeadRoute },
  [API_PATHS.history]: { GET: historyRoute, HEAD: historyRoute },
  [API_PATHS.poll]: { GET: pollRoute, HEAD: pollRoute },
  [API_PATHS.health]: { GET: healthRoute, HEAD: healthRoute },
  [API_PATHS.ready]: { GET: readyRoute, HEAD: readyRoute },
  [API_PATHS.stats]: { GET: statsRoute, HEAD: statsRoute },
  [API_PATHS.metrics]: { GET: metricsRoute, HEAD: metricsRoute },
  [OTLP_LOGS_PATH]: { POST: otlpLogsRoute },
};
