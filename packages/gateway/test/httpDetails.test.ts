import { createGateway, type Gateway, GatewayError } from '@logs-sse/gateway';
import { afterEach, describe, expect, it } from 'vitest';
import { exchange, log, openStream, publish, rawCall, type Started, startGateway } from './helpers';

let g: Started;
afterEach(() => g?.gateway.close());

/** A request line and the headers every request here carries. */
const request = (line: string, extra = '') => `${line} HTTP/1.1\r\nhost: 127.0.0.1\r\n${extra}\r\n`;
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
