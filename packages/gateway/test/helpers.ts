import { type Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { RunningGateway } from '../../testing/src/index';

// The shared starter depends on this package, so its tests import it by path, not by name.
export { startGateway } from '../../testing/src/index';
export type Started = RunningGateway;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test answers are inspected field by field
  json: any;
}

export async function call(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export interface PublishOptions {
  token?: string;
  contentType?: string;
  gzip?: boolean;
  headers?: Record<string, string>;
}

/** POSTs to /api/logs/publish; objects are sent as JSON, strings and buffers as they are. */
export function publish(url: string, body: unknown, options: PublishOptions = {}): Promise<HttpAnswer> {
  let payload: string | Buffer =
    typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/json',
    ...options.headers,
  };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.gzip) {
    payload = gzipSync(payload);
    headers['content-encoding'] = 'gzip';
  }
  return call(`${url}/api/logs/publish`, {
    method: 'POST',
    headers,
    body: typeof payload === 'string' ? payload : new Uint8Array(payload),
  });
}

/** A log entry for `logs:{service}:ws:{resource}`. */
export function log(resource: string, message: string, extra: Record<string, unknown> = {}) {
  return { channel: `logs:svc:ws:${resource}`, message, ...extra };
}

export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/**
 * A stream read over a raw `node:http` request, split into events by a minimal SSE parser that follows
 * the spec's field rules (so a forged frame would show up as a forged event here).
 */
export class SseReader {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  retry: number | undefined;
  status = 0;
  headers: IncomingMessage['headers'] = {};
  body = '';
  ended = false;
  private buffer = '';
  private waiters: (() => void)[] = [];
  private response: IncomingMessage | undefined;
  private readonly request;
  readonly opened: Promise<void>;

  constructor(url: string, headers: Record<string, string> = {}, agent?: Agent) {
    this.request = httpRequest(url, {
      headers: { accept: 'text/event-stream', ...headers },
      ...(agent && { agent }),
    });
    this.opened = new Promise((resolve, reject) => {
      this.request.on('response', (res) => {
        this.response = res;
        this.status = res.statusCode ?? 0;
        this.headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.push(chunk));
        const end = () => {
          this.ended = true;
          this.wake();
        };
        res.on('end', end);
        res.on('close', end);
        res.on('error', end);
        resolve();
      });
      this.request.on('error', (error) => {
        this.ended = true;
        this.wake();
        reject(error);
      });
    });
    this.request.end();
  }

  /** Events of one name, with their data parsed. */
  // biome-ignore lint/suspicious/noExplicitAny: parsed event data
  data(event: string): any[] {
    return this.events.filter((e) => e.event === event).map((e) => JSON.parse(e.data));
  }

  /** Resolves once `predicate` holds; rejects if the stream ends first. */
  async until(predicate: (reader: SseReader) => boolean, what = 'condition'): Promise<void> {
    while (!predicate(this)) {
      if (this.ended) {
        throw new Error(
          `stream ended before ${what}; got ${JSON.stringify(this.events.map((e) => e.event))}`,
        );
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  untilEvents(event: string, count: number): Promise<void> {
    return this.until(
      (r) => r.events.filter((e) => e.event === event).length >= count,
      `${count} ${event} events`,
    );
  }

  /** Resolves once the server ends the stream. */
  async untilEnd(): Promise<void> {
    while (!this.ended) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.request.destroy();
    this.response?.destroy();
  }

  private push(chunk: string): void {
    this.body += chunk;
    this.buffer += chunk;
    let end = this.buffer.search(/\r\n\r\n|\n\n|\r\r/);
    while (end !== -1) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + (this.buffer.startsWith('\r\n\r\n', end) ? 4 : 2));
      this.parseBlock(block);
      end = this.buffer.search(/\r\n\r\n|\n\n|\r\r/);
    }
    this.wake();
  }

  private parseBlock(block: string): void {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r\n|\r|\n/)) {
      if (line.startsWith(':')) {
        this.comments.push(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
      else if (field === 'retry') this.retry = Number(value);
    }
    if (data.length > 0) this.events.push({ event, data: data.join('\n'), id });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Opens a stream and waits for its headers (and for `hello` when the answer is 200). */
export async function openStream(url: string, query: string, headers: Record<string, string> = {}) {
  const reader = new SseReader(`${url}/api/logs/stream?${query}`, headers);
  await reader.opened;
  if (reader.status === 200) await reader.untilEvents('hello', 1);
  else await reader.untilEnd();
  return reader;
}

export interface RawOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** `false` sends no `Host` header at all. */
  setHost?: boolean;
}

/**
 * A request over `node:http`, which sends headers that `fetch` refuses to set or replaces (`Host`,
 * `Sec-Fetch-Site`) exactly as given.
 */
export function rawCall(url: string, path: string, options: RawOptions = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, url), {
      method: options.method ?? 'GET',
      headers: options.headers,
      setHost: options.setHost ?? true,
      agent: false,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        resolve({ status: res.statusCode ?? 0, headers, text, json });
      });
    });
    req.end(options.body);
  });
}

/** What came back on a TCP connection, up to the server closing it. */
export interface RawExchange {
  /** Everything received. */
  received: string;
  /** The status line's code, the headers (lower-cased names) and what followed the blank line. */
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes `bytes` on a plain TCP connection to the gateway and resolves with everything the server sent
 * once it closes the connection: for requests no HTTP client would send (malformed, unfinished). `then`
 * is written on the same connection once the first bytes of an answer have arrived.
 */
export function exchange(url: string, bytes: string | Buffer, then?: string): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      if (chunks.length === 0 && then !== undefined) socket.write(then);
      chunks.push(chunk);
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const received = Buffer.concat(chunks).toString('utf8');
      const split = received.indexOf('\r\n\r\n');
      const head = split === -1 ? received : received.slice(0, split);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({
        received,
        status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0),
        headers,
        body: split === -1 ? '' : received.slice(split + 4),
      });
    });
    socket.write(bytes);
  });
}

/** A logger that keeps every line, to look into what the gateway logged. */
export function recordingLogger() {
  const lines: string[] = [];
  const record = (level: string) => (obj: object, msg?: string) => {
    const err = (obj as { err?: unknown }).err;
    lines.push(JSON.stringify({ level, msg, ...obj, ...(err instanceof Error && { err: err.stack }) }));
  };
  return {
    lines,
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
  };
}
