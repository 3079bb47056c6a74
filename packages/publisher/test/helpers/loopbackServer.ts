import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One request as the loopback server received it, body decompressed. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body's NDJSON lines, parsed. */
  lines: Record<string, unknown>[];
}

/** How the server answers one request. `'reset'` destroys the connection without answering. */
export type Reply =
  | { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  | 'reset'
  | 'hang';

export type Responder = (req: ReceivedRequest, index: number) => Reply;

/** Answers like the gateway: 202 with every entry accepted. */
export const accept: Responder = (req) => ({
  status: req.path.endsWith('/heartbeat') ? 204 : 202,
  body: req.path.endsWith('/heartbeat')
    ? undefined
    : { accepted: req.lines.length, rejected: [], rejectedCount: 0 },
});

/**
 * A real HTTP server on a loopback port that records every request and answers as told: the
 * gateway's contract, or its faults (errors, slowness, resets), without the gateway.
 */
export class LoopbackServer {
  readonly requests: ReceivedRequest[] = [];
  readonly server: http.Server;
  url = '';
  connections = 0;
  private readonly sockets = new Set<Socket>();
  private listeners: (() => void)[] = [];

  constructor(public respond: Responder = accept) {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(respond?: Responder, port = 0): Promise<LoopbackServer> {
    const server = new LoopbackServer(respond);
    await new Promise<void>((resolve) => server.server.listen(port, '127.0.0.1', resolve));
    server.url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    return server;
  }

  /** Publish requests only. */
  get publishes(): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === '/api/logs/publish');
  }

  /** Every entry of every publish request, in arrival order. */
  get entries(): Record<string, unknown>[] {
    return this.publishes.flatMap((r) => r.lines);
  }

  /** Resolves once `predicate` holds, checking after each request. */
  until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!predicate()) return;
        this.listeners = this.listeners.filter((l) => l !== check);
        resolve();
      };
      this.listeners.push(check);
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      const body = raw.toString('utf8');
      const lines = body === '' ? [] : body.split('\n').map((line) => JSON.parse(line));
      const received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, lines };
      const index = this.requests.push(received) - 1;
      const reply = this.respond(received, index);
      for (const listener of [...this.listeners]) listener();
      if (reply === 'reset') {
        req.socket.destroy();
        return;
      }
      if (reply === 'hang') return;
      const send = () => {
        const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(text);
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  }
}
