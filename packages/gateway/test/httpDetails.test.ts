import { createGateway, type Gateway, GatewayError } from '@logs-sse/gateway';
import { afterEach, describe, expect, it } from 'vitest';
import { exchange, log, openStream, publish, rawCall, type Started, startGateway } from './helpers';

let g: Started;
afterEach(() => g?.gateway.close());

/** A request line and the headers every request here carries. */
const request = (line: string, extra = '') => `${line} HTTP/1.1\r\nhost: 127.0.0.1\r\n${extra}\r\n`;
/** Sent after a request on the same connection: its answer shows where the answer before it ended. */
const HEALTH_AND_CLOSE = request('GET /health', 'connection: close\r\n');

/** A HEAD answer, and what followed it on the connection until the health check's answer. */
async function head(url: string, path: string, extra = '') {
  const answer = await exchange(url, request(`HEAD ${path}`, extra) + HEALTH_AND_CLOSE);
  const { date: _date, ...headers } = answer.headers;
  return { status: answer.status, headers, after: answer.body.slice(0, answer.body.indexOf('\r\n')) };
}

async function get(url: string, path: string) {
  const answer = await exchange(url, request(`GET ${path}`) + HEALTH_AND_CLOSE);
  const { date: _date, ...headers } = answer.headers;
  return { status: answer.status, headers, body: answer.body.slice(0, Number(headers['content-length'])) };
}

describe('HEAD', () => {
  it('answers each JSON GET endpoint with the status and headers of its GET, and no body', async () => {
    g = await startGateway();
    await publish(g.url, log('r1', 'kept'));
    for (const path of ['/health', '/ready', '/api/logs/history']) {
      const got = await get(g.url, path);
      const answer = await head(g.url, path);
      expect([path, answer.status, answer.headers]).toEqual([path, got.status, got.headers]);
      expect(answer.headers['content-length']).toBe(String(Buffer.byteLength(got.body)));
      // The next thing on the connection is the next answer: no body came in between.
      expect(answer.after).toBe('HTTP/1.1 200 OK');
    }
  });

  it('answers a history request with the headers of its GET and no body', async () => {
    g = await startGateway();
    await publish(g.url, log('r1', 'kept'));
    const path = '/api/logs/history?channel=logs:svc:ws:r1';
    const got = await exchange(g.url, request(`GET ${path}`) + HEALTH_AND_CLOSE);
    const answer = await head(g.url, path);
    // A GET is written as it is read from history, chunked; a HEAD reads nothing and says so with no length.
    expect(got.headers['transfer-encoding']).toBe('chunked');
    expect([answer.status, answer.headers['content-type'], answer.headers['cache-control']]).toEqual([
      200,
      got.headers['content-type'],
      got.headers['cache-control'],
    ]);
    expect(answer.after).toBe('HTTP/1.1 200 OK');
  });

  it('answers stats and metrics with their status and content type, and no body', async () => {
    g = await startGateway();
    const stats = await head(g.url, '/admin/logs/stats');
    expect([stats.status, stats.headers['content-type'], stats.after]).toEqual([
      200,
      'application/json; charset=utf-8',
      'HTTP/1.1 200 OK',
    ]);
    const metrics = await head(g.url, '/metrics');
    expect([metrics.status, metrics.headers['content-type'], metrics.after]).toEqual([
      200,
      'text/plain; version=0.0.4; charset=utf-8',
      'HTTP/1.1 200 OK',
    ]);
  });

  it('answers the stream with its headers and opens no stream', async () => {
    g = await startGateway();
    const answer = await head(g.url, '/api/logs/stream?channels=logs:svc:ws:r1');
    expect(answer).toEqual({
      status: 200,
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      },
      after: 'HTTP/1.1 200 OK',
    });
    expect(g.gateway.stats().connections).toBe(0);
    // No connection was counted: the first stream opened is still the first.
    const stream = await openStream(g.url, 'channels=logs:svc:ws:r1');
    expect(stream.data('hello')[0].connectionId).toMatch(/^c1-/);
    stream.close();
  });

  it('answers the stream with the refusal a GET would get: 400, 401, 403', async () => {
    g = await startGateway({
      auth: { subscribers: [{ token: 'subscriber-0123456789', channels: ['logs:svc:*:*'] }] },
    });
    const bad = await head(
      g.url,
      '/api/logs/stream?channels=nope',
      'authorization: Bearer subscriber-0123456789\r\n',
    );
    const badGet = await openStream(g.url, 'channels=nope', {
      authorization: 'Bearer subscriber-0123456789',
    });
    expect([bad.status, bad.headers['content-length'], bad.after]).toEqual([
      400,
      String(Buffer.byteLength(badGet.body)),
      'HTTP/1.1 200 OK',
    ]);
    const anonymous = await head(g.url, '/api/logs/stream?channels=logs:svc:ws:r1');
    expect([anonymous.status, anonymous.headers['www-authenticate']]).toEqual([401, 'Bearer']);
    const other = await head(
      g.url,
      '/api/logs/stream?channels=logs:api:ws:r1',
      'authorization: Bearer subscriber-0123456789\r\n',
    );
    expect(other.status).toBe(403);
  });

  it('is listed in Allow, and POST endpoints still answer it 405', async () => {
    g = await startGateway();
    const publishHead = await head(g.url, '/api/logs/publish');
    expect([publishHead.status, publishHead.headers.allow, publishHead.after]).toEqual([
      405,
      'POST',
      'HTTP/1.1 200 OK',
    ]);
    const post = await rawCall(g.url, '/health', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });
});

describe("Node's own answers", () => {
  const json = (code: string, message: string) => JSON.stringify({ error: { code, message } });

  it('answers a malformed request 400 with the JSON error body, and closes the connection', async () => {
    g = await startGateway();
    const answer = await exchange(g.url, 'NONSENSE / HTTP/1.1\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(answer.headers).toEqual({
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(answer.body.length),
      'cache-control': 'no-store',
      connection: 'close',
    });
    expect(answer.body).toBe(json('bad_request', 'the request is not well-formed HTTP/1.1'));
  });

  it('answers headers over 16 KiB 431 with the JSON error body', async () => {
    g = await startGateway();
    const answer = await exchange(g.url, request('GET /health', `x-big: ${'a'.repeat(20_000)}\r\n`));
    expect(answer.status).toBe(431);
    expect(answer.received.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(answer.body).toBe(
      json('headers_too_large', 'the request headers are larger than the server accepts'),
    );
  });

  it('closes, unanswered, a connection that already carried an answer, as Node does', async () => {
    g = await startGateway();
    const answer = await exchange(g.url, request('GET /health'), 'NONSENSE / HTTP/1.1\r\n\r\n');
    expect(answer.status).toBe(200);
    expect(answer.received.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200']);
  });

  describe('timeouts', () => {
    let gateway: Gateway | undefined;
    afterEach(() => gateway?.close());

    async function listen(headersTimeoutMs: number, requestTimeoutMs: number) {
      gateway = createGateway({ logger: false });
      return (await gateway.listen({ port: 0, host: '127.0.0.1', headersTimeoutMs, requestTimeoutMs })).url;
    }

    it('cuts a client that never finishes its headers with a 408, while streams stay open', async () => {
      const url = await listen(200, 200);
      const stream = await openStream(url, 'channels=logs:svc:ws:r1');
      const slowloris = await exchange(url, 'GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\nx-a: 1\r\n');
      expect(slowloris.status).toBe(408);
      expect(slowloris.headers.connection).toBe('close');
      expect(slowloris.body).toBe(
        json('request_timeout', 'the request did not arrive in time; send it again'),
      );
      // The stream's request ended long before: requestTimeout covers receiving a request, not answering it.
      const slowBody = await exchange(
        url,
        request('POST /api/logs/publish', 'content-type: application/json\r\ncontent-length: 100\r\n') +
          '{"chan',
      );
      expect(slowBody.status).toBe(408);
      expect((await publish(url, log('r1', 'still streaming'))).status).toBe(202);
      await stream.untilEvents('log', 1);
      expect(stream.ended).toBe(false);
      expect(stream.data('log').map((e) => e.message)).toEqual(['still streaming']);
      stream.close();
    });

    it('refuses timeouts below 1 ms, and a headers timeout above the request timeout', async () => {
      gateway = createGateway({ logger: false });
      await expect(gateway.listen({ port: 0, headersTimeoutMs: 0 })).rejects.toThrow(
        new GatewayError('invalid_options', 'headersTimeoutMs must be a number >= 1, got 0'),
      );
      await expect(
        gateway.listen({ port: 0, headersTimeoutMs: 5000, requestTimeoutMs: 1000 }),
      ).rejects.toThrow('headersTimeoutMs (5000) must not be above requestTimeoutMs (1000)');
      // A request timeout below the default headers timeout lowers that one with it.
      const { url } = await gateway.listen({ port: 0, requestTimeoutMs: 5000 });
      expect((await rawCall(url, '/health')).status).toBe(200);
    });
  });
});
