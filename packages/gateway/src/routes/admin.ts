import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorize, deny } from '../auth/authorize';
import type { GatewayContext, GatewayStats } from '../context';
import { sendJson } from '../http/answers';
import { renderPrometheus } from '../metrics';
import { redisSideOf } from '../store/redis/redisSide';

export function healthRoute(_ctx: GatewayContext, _req: IncomingMessage, res: ServerResponse) {
  sendJson(res, 200, { status: 'ok' });
}

/** Ready while the store takes writes and the gateway is not shutting down. */
export function readyRoute(ctx: GatewayContext, _req: IncomingMessage, res: ServerResponse) {
  const ready = !ctx.state.closing && ctx.store.isReady();
  sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready' });
}

export async function statsRoute(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse, url: URL) {
  if (!(await authorizeAdmin(ctx, req, res, url))) return;
  sendJson(res, 200, collectStats(ctx));
}

export async function metricsRoute(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse, url: URL) {
  if (!(await authorizeAdmin(ctx, req, res, url))) return;
  const text = renderPrometheus({
    metrics: ctx.metrics,
    connections: ctx.fanout.subscribers.size,
    answers: ctx.answers,
    publishers: ctx.publishers.size,
    store: ctx.store.stats(),
    memory: process.memoryUsage(),
  });
  res.writeHead(200, {
    'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function collectStats(ctx: GatewayContext): GatewayStats {
  const { metrics } = ctx;
  const store = ctx.store.stats();
  const redis = redisSideOf(store);
  const memory = process.memoryUsage();
  const started = ctx.state.startedAt;
  return {
    connections: ctx.fanout.subscribers.size,
    answers: {
      open: ctx.answers.size,
      bufferedBytes: ctx.answers.bufferedBytes(),
      stalled: ctx.answers.stalled,
    },
    subscriptions: ctx.fanout.subscriptionCounts(),
    publishers: ctx.publishers.list(),
    logs: {
      in: metrics.logsIn,
      out: metrics.logsOut,
      rejected: metrics.logsRejected,
      rateLimited: metrics.logsRateLimited,
    },
    dropped: { slowSubscribers: metrics.slowDisconnects, evictedEntries: store.evicted },
    history: { channels: store.channels, entries: store.entries, bytes: store.bytes },
    memory: {
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      external: memory.external,
      streamBufferedBytes: ctx.fanout.bufferedBytes(),
    },
    startedAt: new Date(started).toISOString(),
    uptimeSeconds: Math.max(0, Math.round((ctx.options.now() - started) / 1000)),
    ...(redis && { redis }),
  };
}

async function authorizeAdmin(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse, url: URL) {
  const grant = await authorize(ctx, req, res, url);
  if (!grant) return false;
  if (!grant.admin) {
    deny(ctx, res, 'forbidden', 'this endpoint needs the admin token');
    return false;
  }
  return true;
}
