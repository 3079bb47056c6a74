import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway, type Gateway } from '@logs-sse/gateway';
import { afterEach, describe, expect, it } from 'vitest';
import {
  exchange,
  log,
  openStream,
  publish,
  rawCall,
  recordingLogger,
  type Started,
  startGateway,
} from './helpers';

let g: Started;
afterEach(() => g?.gateway.close());

const APP = 'http://127.0.0.1:4173';
const OPEN = 'this gateway runs open (no auth)';
const JSON_TYPE = { 'content-type': 'application/json' };
const entry = JSON.stringify(log('r1', 'from a page'));

function hostRefusal(host: string) {
  return {
    code: 'forbidden',
    message:
      `${OPEN} and answers only requests addressed to localhost, 127.0.0.1 or [::1], not to Host "${host}": ` +
      'a web page could otherwise reach it by DNS rebinding. Use a loopback address, or configure auth.',
  };
}

function originRefusal(origin: string) {
  return {
    code: 'forbidden',
    message:
      `${OPEN} and origin "${origin}" is not in corsOrigins, so its pages may not call it. ` +
      'Add the origin to corsOrigins (LOGS_SSE_CORS_ORIGINS), or configure auth.',
  };
}

function siteRefusal(site: string) {
  return {
    code: 'forbidden',
    message:
      `${OPEN} and a page of another site sent this request (Sec-Fetch-Site: ${site}) as an image, ` +
      'script or link would. Call it with fetch or EventSource from an origin in corsOrigins, open the URL ' +
      'directly, or configure auth.',
  };
}

function typeRefusal(got: string) {
  return {
    code: 'forbidden',
    message:
      `${OPEN}, so a POST must have content-type application/json, application/x-ndjson or application/x-protobuf, which no web ` +
      `page can send it without a CORS preflight; got ${got}. Set the content type, or configure auth.`,
  };
}

/** How many entries the gateway holds for the test channel: refused requests must have stored none. */
async function stored(url: string): Promise<number> {
  return (await rawCall(url, '/api/logs/history?channel=logs:svc:ws:r1')).json.logs.length;
}

describe('open mode: Host', () => {
  it.each([
    'evil.example',
    'evil.example:3002',
    'localhost.evil.example',
    '127.0.0.1.nip.io',
    'localhost.',
    '0.0.0.0',
    '10.0.0.7:3002',
    '[::2]:3002',
    'evil.example@localhost',
    'localhost/x',
  ])('refuses requests addressed to %s, on every endpoint and method', async (host) => {
    g = await startGateway();
    const forged = { host };
    for (const path of ['/health', '/ready', '/metrics', '/admin/logs/stats', '/nope']) {
      const answer = await rawCall(g.url, path, { headers: forged });
      expect([path, answer.status, answer.json.error]).toEqual([path, 403, hostRefusal(host)]);
    }
    const history = await rawCall(g.url, '/api/logs/history?channel=logs:svc:ws:r1', { headers: forged });
    expect(history.status).toBe(403);
    const stream = await openStream(g.url, 'channels=logs:svc:ws:r1', forged);
    expect(stream.status).toBe(403);
    expect(JSON.parse(stream.body).error).toEqual(hostRefusal(host));
    const posted = await rawCall(g.url, '/api/logs/publish', {
      method: 'POST',
      headers: { ...forged, ...JSON_TYPE },
      body: entry,
    });
    expect(posted.status).toBe(403);
    expect(posted.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await stored(g.url)).toBe(0);
    expect(g.gateway.stats().connections).toBe(0);
  });

  it('refuses a DNS-rebound page, though it is same-origin with itself and sends no Origin on GET', async () => {
    g = await startGateway({ corsOrigins: ['http://rebound.example:3002'] });
    const page = { host: 'rebound.example:3002', 'sec-fetch-site': 'same-origin' };
    const read = await rawCall(g.url, '/api/logs/history?channel=logs:svc:ws:r1', { headers: page });
    expect(read.json.error).toEqual(hostRefusal('rebound.example:3002'));
    const posted = await rawCall(g.url, '/api/logs/publish', {
      method: 'POST',
      headers: { ...page, origin: 'http://rebound.example:3002', ...JSON_TYPE },
      body: entry,
    });
    expect(posted.status).toBe(403);
    expect(await stored(g.url)).toBe(0);
  });

  it.each(['localhost', 'LOCALHOST:1', '127.0.0.1', '127.1.2.3:80', '[::1]:3002', '[::ffff:7f00:1]:3002'])(
    'answers requests addressed to %s',
    async (host) => {
      g = await startGateway();
      expect((await rawCall(g.url, '/health', { headers: { host } })).status).toBe(200);
      const posted = await rawCall(g.url, '/api/logs/publish', {
        method: 'POST',
        headers: { host, ...JSON_TYPE },
        body: entry,
      });
      expect(posted.status).toBe(202);
    },
  );

  it('answers HTTP/1.0 requests without Host (no browser sends one), and refuses HTTP/1.1 ones with a 400', async () => {
    g = await startGateway();
    const old = await exchange(g.url, 'GET /health HTTP/1.0\r\n\r\n');
    expect([old.status, old.body]).toEqual([200, '{"status":"ok"}']);
    const noHost = await exchange(g.url, 'GET /health HTTP/1.1\r\nconnection: close\r\n\r\n');
    expect(noHost.status).toBe(400);
    expect(noHost.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(noHost.body)).toEqual({
      error: { code: 'bad_request', message: 'an HTTP/1.1 request must carry a Host header' },
    });
  });
});

describe('open mode: Origin and Sec-Fetch-Site', () => {
  it('refuses pages of origins not in corsOrigins, on reads, streams, posts and preflights', async () => {
    g = await startGateway({ corsOrigins: [APP] });
    for (const origin of [
      'https://evil.example',
      'null',
      'http://127.0.0.1:9999',
      `${APP}, https://evil.example`,
    ]) {
      const page = { origin, 'sec-fetch-site': 'cross-site' };
      const history = await rawCall(g.url, '/api/logs/history?channel=logs:svc:ws:r1', { headers: page });
      expect([origin, history.status, history.json.error]).toEqual([origin, 403, originRefusal(origin)]);
      expect(history.headers.get('access-control-allow-origin')).toBeNull();
      const stream = await openStream(g.url, 'channels=logs:svc:ws:r1', page);
      expect(stream.status).toBe(403);
      const posted = await rawCall(g.url, '/api/logs/publish', {
        method: 'POST',
        headers: { ...page, ...JSON_TYPE },
        body: entry,
      });
      expect(posted.json.error).toEqual(originRefusal(origin));
      const preflight = await rawCall(g.url, '/api/logs/publish', {
        method: 'OPTIONS',
        headers: { ...page, 'access-control-request-method': 'POST' },
      });
      expect([preflight.status, preflight.json.error]).toEqual([403, originRefusal(origin)]);
    }
    expect(await stored(g.url)).toBe(0);
    expect(g.gateway.stats().connections).toBe(0);
  });

  it('refuses the simple POSTs any page can send, whatever their content type', async () => {
    g = await startGateway();
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const posted = await rawCall(g.url, '/api/logs/publish', {
        method: 'POST',
        headers: { origin: 'https://evil.example', 'content-type': type },
        body: entry,
      });
      expect(posted.json.error).toEqual(originRefusal('https://evil.example'));
    }
    expect(await stored(g.url)).toBe(0);
  });

  it('keeps CORS working for allowed origins: preflight, stream, history and publish', async () => {
    g = await startGateway({ corsOrigins: [APP] });
    const page = { origin: APP, 'sec-fetch-site': 'same-site' };
    const preflight = await rawCall(g.url, '/api/logs/stream', {
      method: 'OPTIONS',
      headers: {
        ...page,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'last-event-id',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP);
    const stream = await openStream(g.url, 'channels=logs:svc:ws:r1', page);
    expect(stream.status).toBe(200);
    expect(stream.headers['access-control-allow-origin']).toBe(APP);
    const posted = await rawCall(g.url, '/api/logs/publish', {
      method: 'POST',
      headers: { ...page, ...JSON_TYPE },
      body: entry,
    });
    expect(posted.status).toBe(202);
    await stream.untilEvents('log', 1);
    const history = await rawCall(g.url, '/api/logs/history?channel=logs:svc:ws:r1', { headers: page });
    expect(history.status).toBe(200);
    expect(history.headers.get('access-control-allow-origin')).toBe(APP);
    expect(history.json.logs.map((e: { message: string }) => e.message)).toEqual(['from a page']);
    stream.close();
  });

  it('answers pages of its own origin, as when it is mounted in the server of an app', async () => {
    g = await startGateway();
    const posted = await rawCall(g.url, '/api/logs/publish', {
      method: 'POST',
      headers: { origin: g.url, 'sec-fetch-site': 'same-origin', ...JSON_TYPE },
      body: entry,
    });
    expect(posted.status).toBe(202);
    // The same page served under another loopback name is another origin.
    const otherName = `http://localhost:${new URL(g.url).port}`;
    const other = await rawCall(g.url, '/health', { headers: { origin: otherName } });
    expect(other.json.error).toEqual(originRefusal(otherName));
  });

  it('refuses requests another site sent without an Origin (images, scripts, links), not typed-in URLs', async () => {
    g = await startGateway({ corsOrigins: [APP] });
    for (const site of ['cross-site', 'same-site']) {
      const image = { 'sec-fetch-site': site, 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' };
      const stream = await openStream(g.url, 'channels=logs:svc:ws:r1', image);
      expect(stream.status).toBe(403);
      expect(JSON.parse(stream.body).error).toEqual(siteRefusal(site));
      const history = await rawCall(g.url, '/api/logs/history?channel=logs:svc:ws:r1', { headers: image });
      expect(history.json.error).toEqual(siteRefusal(site));
    }
    expect(g.gateway.stats().connections).toBe(0);
    for (const site of ['none', 'same-origin']) {
      const typed = { 'sec-fetch-site': site, 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
      const history = await rawCall(g.url, '/api/logs/history?channel=logs:svc:ws:r1', { headers: typed });
      expect(history.status).toBe(200);
    }
  });

  it('refuses POSTs without a JSON or NDJSON content type, even from clients that send no Origin', async () => {
    g = await startGateway();
    const cases: [Record<string, string>, string][] = [
      [{}, 'none'],
      [{ 'content-type': '' }, 'none'],
      [{ 'content-type': 'text/plain' }, '"text/plain"'],
      [{ 'content-type': 'Text/Plain; charset=utf-8' }, '"text/plain"'],
      [{ 'content-type': 'application/x-www-form-urlencoded' }, '"application/x-www-form-urlencoded"'],
      [{ 'content-type': 'multipart/form-data; boundary=b' }, '"multipart/form-data"'],
    ];
    for (const path of ['/api/logs/publish', '/api/logs/publishers/heartbeat']) {
      for (const [headers, got] of cases) {
        const answer = await rawCall(g.url, path, { method: 'POST', headers, body: entry });
        expect([path, headers, answer.status, answer.json.error]).toEqual([
          path,
          headers,
          403,
          typeRefusal(got),
        ]);
      }
    }
    expect(await stored(g.url)).toBe(0);
    expect(g.gateway.stats().publishers).toEqual([]);
    const ndjson = await publish(g.url, `${entry}\n`, { contentType: 'application/x-ndjson' });
    expect(ndjson.status).toBe(202);
    expect((await publish(g.url, entry, { contentType: 'application/json; charset=utf-8' })).status).toBe(
      202,
    );
  });

  it('serves curl and services, which send no Origin and no Sec-Fetch-Site', async () => {
    g = await startGateway();
    expect((await publish(g.url, log('r1', 'from curl'))).status).toBe(202);
    const stream = await openStream(g.url, 'channels=logs:svc:ws:r1&tail=1');
    expect(stream.status).toBe(200);
    await stream.untilEvents('log', 1);
    stream.close();
  });

  it('logs each reason for a refusal once, so the developer of a refused page can find it', async () => {
    const { lines, logger } = recordingLogger();
    g = await startGateway({ logger });
    for (let i = 0; i < 3; i++) {
      await rawCall(g.url, '/health', { headers: { origin: 'https://evil.example' } });
    }
    await rawCall(g.url, '/health', { headers: { host: 'evil.example' } });
    const warnings = lines.map((line) => JSON.parse(line)).filter((line) => line.level === 'warn');
    expect(warnings).toEqual([
      {
        level: 'warn',
        msg: 'refused a request from a web page (logged once per reason)',
        reason: originRefusal('https://evil.example').message,
      },
      {
        level: 'warn',
        msg: 'refused a request from a web page (logged once per reason)',
        reason: hostRefusal('evil.example').message,
      },
    ]);
  });

  it('warns when corsOrigins "*" lets any page in, and then lets them', async () => {
    const { lines, logger } = recordingLogger();
    g = await startGateway({ logger, corsOrigins: ['*'] });
    expect(JSON.parse(lines[0]!)).toEqual({
      level: 'warn',
      msg: 'corsOrigins "*" without auth: any web page opened on this machine may read and publish logs here',
    });
    const answer = await rawCall(g.url, '/health', { headers: { origin: 'https://any.example' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://any.example');
  });
});

describe('open mode checks', () => {
  it('are off with auth: tokens protect the gateway, and a browser cannot send them by itself', async () => {
    g = await startGateway({
      auth: {
        publishers: [{ token: 'publisher-0123456789', services: ['svc'] }],
        adminToken: 'administrator-0123456789',
      },
    });
    const page = {
      host: 'logs.example.com',
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    };
    expect((await rawCall(g.url, '/health', { headers: page })).status).toBe(200);
    const posted = await rawCall(g.url, '/api/logs/publish', {
      method: 'POST',
      headers: { ...page, authorization: 'Bearer publisher-0123456789', ...JSON_TYPE },
      body: entry,
    });
    expect(posted.status).toBe(202);
    const anonymous = await rawCall(g.url, '/api/logs/publish', {
      method: 'POST',
      headers: { ...page, 'content-type': 'text/plain' },
      body: entry,
    });
    expect(anonymous.status).toBe(401);
  });

  it('apply to the handler mounted in a server of its own', async () => {
    const gateway: Gateway = createGateway({ logger: false });
    const server = createServer(gateway.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const forged = await rawCall(url, '/health', { headers: { host: 'evil.example:3000' } });
      expect(forged.json.error).toEqual(hostRefusal('evil.example:3000'));
      const page = await rawCall(url, '/api/logs/publish', {
        method: 'POST',
        headers: { origin: url, ...JSON_TYPE },
        body: entry,
      });
      expect(page.status).toBe(202);
    } finally {
      await gateway.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
