import http from 'node:http';
import https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { gzip } from 'node:zlib';
import { PUBLISHER_ID_HEADER } from '@logs-sse/protocol';

/** What came back from one request: an HTTP answer, or why there was none. */
export type HttpOutcome =
  | { ok: true; status: number; retryAfter: string | undefined; body: string }
  | { ok: false; code: 'network_error' | 'timeout'; message: string };

/** Answers longer than this are cut: the publisher only needs counts and error codes from them. */
const MAX_ANSWER_CHARS = 256 * 1024;

/** Bodies smaller than this are not worth compressing. */
const GZIP_MIN_BYTES = 1024;

/**
 * POSTs to the gateway over keep-alive connections. `post` never rejects: every fault comes back as an
 * outcome, so no caller can leak an unhandled rejection.
 */
export class HttpClient {
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private readonly inFlight = new Set<http.ClientRequest>();
  /** Request options per path, parsed from the URL once rather than on every request. */
  private readonly targets = new Map<string, http.RequestOptions>();

  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly timeoutMs: number,
    private readonly publisherId: string,
  ) {
    const secure = baseUrl.startsWith('https:');
    // Idle keep-alive sockets are unref'd by the agent, so they never hold a finished process open.
    this.agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    this.request = secure ? https.request : http.request;
  }

  async post(
    path: string,
    body: string | readonly Buffer[],
    contentType: string,
    compress: boolean,
    extraHeaders?: Record<string, string>,
  ): Promise<HttpOutcome> {
    // The gateway counts publishes per X-Publisher-Id, next to the heartbeats of the same id.
    const headers: Record<string, string> = {
      ...extraHeaders,
      'content-type': contentType,
      [PUBLISHER_ID_HEADER]: this.publisherId,
    };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    let payload = body;
    let length = typeof body === 'string' ? Buffer.byteLength(body) : 0;
    if (typeof body !== 'string') for (const piece of body) length += piece.length;
    if (compress && length >= GZIP_MIN_BYTES) {
      try {
        const zipped = await gzipAsync(typeof body === 'string' ? body : Buffer.concat(body, length));
        payload = [zipped];
        length = zipped.length;
        headers['content-encoding'] = 'gzip';
      } catch {
        payload = body;
      }
    }
    headers['content-length'] = String(length);
    return new Promise((resolve) => this.send(path, headers, payload, resolve));
  }

  private target(path: string): http.RequestOptions {
    let target = this.targets.get(path);
    if (target === undefined) {
      target = urlToHttpOptions(new URL(`${this.baseUrl}${path}`));
      this.targets.set(path, target);
    }
    return target;
  }

  /** Breaks every request under way; each resolves as a network error. */
  abort(): void {
    for (const req of this.inFlight) req.destroy(new Error('publisher closed'));
  }

  close(): void {
    this.abort();
    this.agent.destroy();
  }

  private send(
    path: string,
    headers: Record<string, string>,
    payload: string | readonly Buffer[],
    resolve: (outcome: HttpOutcome) => void,
  ): void {
    let settled = false;
    const finish = (outcome: HttpOutcome) => {
      if (settled) return;
      settled = true;
      this.inFlight.delete(req);
      resolve(outcome);
    };
    let req: http.ClientRequest;
    try {
      req = this.request({ ...this.target(path), method: 'POST', headers, agent: this.agent });
    } catch (error) {
      resolve({ ok: false, code: 'network_error', message: describe(error) });
      return;
    }
    this.inFlight.add(req);
    req.setTimeout(this.timeoutMs, () => {
      finish({ ok: false, code: 'timeout', message: `no answer within ${this.timeoutMs} ms` });
      req.destroy();
    });
    req.on('error', (error) => finish({ ok: false, code: 'network_error', message: describe(error) }));
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < MAX_ANSWER_CHARS) text += chunk;
      });
      res.on('error', (error) => finish({ ok: false, code: 'network_error', message: describe(error) }));
      res.on('close', () => {
        if (!res.complete)
          finish({ ok: false, code: 'network_error', message: 'connection closed mid-answer' });
      });
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        finish({ ok: true, status: res.statusCode ?? 0, retryAfter, body: text });
      });
    });
    if (typeof payload === 'string') {
      req.end(payload);
    } else {
      // Pieces written before the socket is ready go out with the headers in one write.
      for (let i = 0; i < payload.length - 1; i++) req.write(payload[i]);
      req.end(payload[payload.length - 1]);
    }
  }
}

function gzipAsync(body: string | Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gzip(body, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
