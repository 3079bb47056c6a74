import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeSseComment, encodeSseRetry } from '@logs-sse/protocol';
import { Auth } from './auth/auth';
import type { GatewayContext, GatewayStats } from './context';
import { GatewayError } from './errors';
import { sendError } from './http/answers';
import { answerClientError } from './http/clientError';
import { handleCors } from './http/cors';
import { crossSiteRefusal } from './http/crossSite';
import { isLoopback } from './http/loopback';
import { IdempotencyCache } from './idempotency/idempotencyCache';
import { Metrics } from './metrics';
import { type GatewayOptions, resolveOptions } from './options/options';
import { PublisherRegistry } from './publishers';
import { RateLimiter } from './rateLimiter';
import { type Method, ROUTES } from './router';
import { collectStats } from './routes/admin';
import { MemoryStore } from './store/memory/memoryStore';
import type { LogStore } from './store/store';
import { Fanout } from './stream/fanout';
import { OpenAnswers } from './stream/pagedRead';
import { PollWaiters } from './stream/pollWaiters';

export interface ListenOptions {
  /** TCP port; `0` picks any free port. Defaults to `3002`. */
  port?: number;
  /** Address to bind. Defaults to `127.0.0.1`. Without auth, only loopback addresses are allowed. */
  host?: string;
  /**
   * Milliseconds a client has to send a request's headers; then it is answered 408 and disconnected, so a
   * client that never finishes them holds no connection. Defaults to `10000`, or `requestTimeoutMs` when
   * that is lower.
   */
  headersTimeoutMs?: number;
  /**
   * Milliseconds a client has to send a whole request, headers and body; then it is answered 408 and
   * disconnected. Only receiving the request counts: a stream stays open for as long as it is read.
   * Defaults to `60000`.
   */
  requestTimeoutMs?: number;
}

export interface Gateway {
  /** `(req, res)` handler to mount in an existing `node:http` server. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Starts a server of its own; resolves with its URL, such as `http://127.0.0.1:41234`. */
  listen(options?: ListenOptions): Promise<{ url: string; port: number; host: string }>;
  /** The object `GET /admin/logs/stats` returns. */
  stats(): GatewayStats;
  /** Tells streams to reconnect soon, ends them, stops the server and its timers. */
  close(): Promise<void>;
}

const HEARTBEAT = Buffer.from(encodeSseComment('heartbeat'));

/** Distinct refusals of cross-site requests that are logged; past this many, they are only answered. */
const MAX_LOGGED_REFUSALS = 100;

/**
 * Builds a gateway: publishers POST entries, browsers stream many channels over one SSE connection.
 *
 * @example
 * const gateway = createGateway({ logger: false });
 * const { url } = await gateway.listen({ port: 0 });
 * // ... later
 * await gateway.close();
 */
export function createGateway(options: GatewayOptions = {}): Gateway {
  const resolved = resolveOptions(options);
  const auth = new Auth(resolved.auth);
  const metrics = new Metrics();
  const store: LogStore =
    options.store ??
    new MemoryStore({
      historyPerChannel: resolved.historyPerChannel,
      historyTtlMs: resolved.historyTtlSeconds * 1000,
      maxHistoryBytes: resolved.maxHistoryBytes,
      now: resolved.now,
    });
  const fanout = new Fanout({
    maxBufferedBytes: resolved.maxBufferedBytes,
    flushWindowMs: resolved.flushWindowMs,
    // Monotonic, unlike `resolved.now`: a clock set back must not hold writes for as long.
    now: () => performance.now(),
    metrics,
    logger: resolved.logger,
  });
  const ctx: GatewayContext = {
    options: resolved,
    auth,
    store,
    fanout,
    answers: new OpenAnswers(),
    polls: new PollWaiters(store),
    metrics,
    publishers: new PublisherRegistry(resolved.now),
    idempotency: store.appendOnce
      ? undefined
      : new IdempotencyCache({
          windowMs: resolved.idempotencyWindowSeconds * 1000,
          maxKeys: resolved.idempotencyMaxKeys,
          maxBytes: resolved.idempotencyMaxBytes,
          now: resolved.now,
        }),
    rateLimiter:
      resolved.publishRateLimit &&
      new RateLimiter(
        resolved.publishRateLimit.entriesPerSecond,
        resolved.publishRateLimit.burst,
        resolved.now,
      ),
    state: { closing: false, connectionCounter: 0, startedAt: resolved.now() },
  };
  const unsubscribe = store.subscribe((entries) => fanout.deliver(entries));
  // One timer for every stream: heartbeats cost one pass over the subscribers, not a timer each.
  const heartbeat = setInterval(() => fanout.broadcast(HEARTBEAT), resolved.heartbeatSeconds * 1000);
  heartbeat.unref();
  let server: Server | undefined;
  let closed: Promise<void> | undefined;
  if (!auth.enabled && resolved.corsOrigins.includes('*')) {
    resolved.logger.warn(
      {},
      'corsOrigins "*" without auth: any web page opened on this machine may read and publish logs here',
    );
  }
  // The page that was refused cannot read why: its developer finds the reason in the gateway's log.
  const loggedRefusals = new Set<string>();
  const refuse = (res: ServerResponse, reason: string) => {
    if (loggedRefusals.size < MAX_LOGGED_REFUSALS && !loggedRefusals.has(reason)) {
      loggedRefusals.add(reason);
      resolved.logger.warn({ reason }, 'refused a request from a web page (logged once per reason)');
    }
    sendError(res, 'forbidden', reason);
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://gateway.invalid');
    } catch {
      sendError(res, 'invalid_query', 'the request URL cannot be parsed');
      return;
    }
    // RFC 9112 section 3.2 asks for a 400 here; listen() leaves it to the handler, so that the 400 is JSON.
    if (req.headers.host === undefined && req.httpVersion === '1.1') {
      sendError(res, 'bad_request', 'an HTTP/1.1 request must carry a Host header');
      return;
    }
    if (!auth.enabled) {
      const refusal = crossSiteRefusal(req, resolved.corsOrigins);
      if (refusal !== undefined) {
        refuse(res, refusal);
        return;
      }
    }
    if (resolved.corsOrigins.length > 0 && handleCors(req, res, resolved.corsOrigins)) return;
    const methods = ROUTES[url.pathname];
    if (!methods) {
      sendError(res, 'not_found', `no endpoint at ${url.pathname.slice(0, 200)}`);
      return;
    }
    const route = methods[req.method as Method];
    if (!route) {
      const allow = Object.keys(methods).join(', ');
      sendError(res, 'method_not_allowed', `use ${allow} on ${url.pathname}`, { headers: { allow } });
      return;
    }
    Promise.resolve()
      .then(() => route(ctx, req, res, url))
      .catch((error: unknown) => {
        resolved.logger.error({ err: error, path: url.pathname }, 'request failed');
        if (res.headersSent) res.destroy();
        else sendError(res, 'internal', 'the gateway failed to handle this request');
      });
  };

  const listen = async (listenOptions: ListenOptions = {}) => {
    if (closed) throw new GatewayError('closed', 'this gateway was closed; create a new one');
    if (server) throw new GatewayError('already_listening', 'listen() was already called on this gateway');
    const host = listenOptions.host ?? '127.0.0.1';
    const port = listenOptions.port ?? 3002;
    const { headersTimeout, requestTimeout } = resolveTimeouts(listenOptions);
    if (!auth.enabled && !isLoopback(host)) {
      throw new GatewayError(
        'open_on_public_host',
        `refusing to listen on ${host} without auth: anyone could read and publish logs. ` +
          'Configure auth (publishers, subscribers, jwt, adminToken) or bind to 127.0.0.1.',
      );
    }
    const srv = createServer(
      {
        headersTimeout,
        requestTimeout,
        // Node looks for late requests every 30 s by default, which would let a slow client stay that long.
        connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeout / 4))),
        requireHostHeader: false,
      },
      handler,
    );
    server = srv;
    srv.on('clientError', answerClientError);
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, host, () => {
        srv.off('error', reject);
        resolve();
      });
    });
    const address = srv.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${shownHost}:${address.port}`;
    resolved.logger.info({ url, auth: auth.enabled }, 'gateway listening');
    return { url, port: address.port, host: address.address };
  };

  const close = (): Promise<void> => {
    closed ??= shutdown();
    return closed;
  };

  async function shutdown(): Promise<void> {
    ctx.state.closing = true;
    clearInterval(heartbeat);
    unsubscribe();
    // Waiting polls answer now, with what they have, and tell their clients when to come back.
    ctx.polls.close();
    const goodbye = encodeSseRetry(resolved.shutdownRetryMs);
    // What waits for its flush window goes out before the goodbye.
    fanout.flushAll();
    for (const sub of [...fanout.subscribers]) {
      fanout.remove(sub);
      sub.res.end(goodbye);
    }
    if (server) {
      const srv = server;
      const stopped = new Promise<void>((resolve) => srv.close(() => resolve()));
      // Requests in flight finish; their keep-alive connections are closed as soon as they fall idle.
      srv.closeIdleConnections();
      const sweep = setInterval(() => srv.closeIdleConnections(), 25);
      const force = setTimeout(() => srv.closeAllConnections(), resolved.closeTimeoutMs);
      sweep.unref();
      force.unref();
      await stopped;
      clearInterval(sweep);
      clearTimeout(force);
    }
    if (!options.store) await store.close();
    resolved.logger.info({}, 'gateway closed');
  }

  return { handler, listen, close, stats: () => collectStats(ctx) };
}

function resolveTimeouts(options: ListenOptions): { headersTimeout: number; requestTimeout: number } {
  for (const key of ['headersTimeoutMs', 'requestTimeoutMs'] as const) {
    const value = options[key];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 1)) {
      throw new GatewayError('invalid_options', `${key} must be a number >= 1, got ${String(value)}`);
    }
  }
  const requestTimeout = options.requestTimeoutMs ?? 60_000;
  const headersTimeout = options.headersTimeoutMs ?? Math.min(10_000, requestTimeout);
  if (headersTimeout > requestTimeout) {
    throw new GatewayError(
      'invalid_options',
      `headersTimeoutMs (${headersTimeout}) must not be above requestTimeoutMs (${requestTimeout})`,
    );
  }
  return { headersTimeout, requestTimeout };
}
