import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeSseEvent, encodeSseRetry, type LogEntry } from '@logs-sse/protocol';
import type { ClientStatus, LogsClient } from '../src/index';

/** One request that reached a {@link LoopbackServer}, with the response still open. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
}

/**
 * A real HTTP server on a loopback port whose answers the test writes by hand, one request at a time:
 * `const { req, res } = await server.next()`.
 */
export class LoopbackServer {
  readonly requests: Exchange[] = [];
  private readonly waiting: ((exchange: Exchange) => void)[] = [];
  private readonly queued: Exchange[] = [];
  url = '';
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      const exchange = { req, res, url: new URL(req.url ?? '/', 'http://loopback') };
      this.requests.push(exchange);
      const waiter = this.waiting.shift();
      if (waiter) waiter(exchange);
      else this.queued.push(exchange);
    });
  }

  static async start(): Promise<LoopbackServer> {
    const server = new LoopbackServer();
    server.server.listen(0, '127.0.0.1');
    await once(server.server, 'listening');
    server.url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    return server;
  }

  /** The next request, whether it already came or is still to come. */
  next(): Promise<Exchange> {
    const queued = this.queued.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Answers a request as an event stream and sends the gateway's opening frames. */
export function openStream(res: ServerResponse, heartbeatSeconds = 15, retryMs?: number): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let head = retryMs === undefined ? '' : encodeSseRetry(retryMs);
  head += encodeSseEvent('hello', JSON.stringify({ connectionId: 'c1', heartbeatSeconds, channels: [] }));
  res.write(head);
}

export function logEntry(id: string, channel: string, message: string, level = 'info'): LogEntry {
  return { id, channel, timestamp: '2026-01-01T00:00:00.000Z', level, message } as LogEntry;
}

export function logFrame(entry: LogEntry): string {
  return encodeSseEvent('log', JSON.stringify(entry), entry.id);
}

export const CHANNEL_A = 'logs:etl:ws-1:run-1';
export const CHANNEL_B = 'logs:etl:ws-1:run-2';

/** Resolves when the client reaches `status` (at once if it is there already). */
export function waitForStatus(client: LogsClient, status: ClientStatus): Promise<void> {
  if (client.status === status) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = client.onConnectionStatus((now) => {
      if (now !== status) return;
      stop();
      resolve();
    });
  });
}

/** Collects delivered log entries and lets a test await a count, instead of sleeping. */
export class Collector {
  readonly entries: LogEntry[] = [];
  readonly batches: (readonly LogEntry[])[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  readonly onLogs = (batch: readonly LogEntry[]): void => {
    this.batches.push(batch);
    this.entries.push(...batch);
    this.waiters = this.waiters.filter((waiter) => {
      if (this.entries.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  };

  /** Resolves once at least `count` entries have arrived. */
  waitFor(count: number): Promise<void> {
    if (this.entries.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  messages(): string[] {
    return this.entries.map((entry) => entry.message);
  }
}

/** A promise with its resolve function, for callbacks a test wants to await. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
