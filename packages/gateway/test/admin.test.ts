import { afterEach, describe, expect, it } from 'vitest';
import { call, log, openStream, publish, type Started, startGateway } from './helpers';

let g: Started;
afterEach(() => g.gateway.close());

describe('health, readiness, stats and metrics', () => {
  it('answers /health and /ready', async () => {
    g = await startGateway();
    expect(await call(`${g.url}/health`)).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(await call(`${g.url}/ready`)).toMatchObject({ status: 200, json: { status: 'ready' } });
  });

  it('reports connections, subscriptions, publishers, logs in and out, dropped and memory', async () => {
    g = await startGateway();
    const stream = await openStream(g.url, 'channels=logs:svc:ws:a,logs:svc:*:*');
    await publish(g.url, { logs: [log('a', '1'), log('b', '2'), { message: 'bad' }] });
    await stream.untilEvents('log', 2);
    const { json, status } = await call(`${g.url}/admin/logs/stats`);
    expect(status).toBe(200);
    expect(json).toEqual({
      connections: 1,
      answers: { open: 0, bufferedBytes: 0, stalled: 0 },
      subscriptions: { 'logs:svc:ws:a': 1, 'logs:svc:*:*': 1 },
      publishers: [
        {
          publisherId: 'service:svc',
          owner: 'open',
          service: 'svc',
          lastActivity: expect.any(String),
          logsIn: 2,
          lastHeartbeat: null,
        },
      ],
      logs: { in: 2, out: 2, rejected: 1, rateLimited: 0 },
      dropped: { slowSubscribers: 0, evictedEntries: 0 },
      history: { channels: 2, entries: 2, bytes: expect.any(Number) },
      memory: {
        rss: expect.any(Number),
        heapUsed: expect.any(Number),
        heapTotal: expect.any(Number),
        external: expect.any(Number),
        streamBufferedBytes: expect.any(Number),
      },
      startedAt: expect.any(String),
      uptimeSeconds: expect.any(Number),
    });
    const { memory: _memory, uptimeSeconds: _uptime, ...same } = g.gateway.stats();
    expect(json).toMatchObject(JSON.parse(JSON.stringify(same)));
    stream.close();
  });

  it('serves Prometheus text at /metrics', async () => {
    g = await startGateway();
    await publish(g.url, log('a', '1'));
    const answer = await call(`${g.url}/metrics`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
    expect(answer.text).toContain('# TYPE logs_sse_logs_in_total counter\nlogs_sse_logs_in_total 1\n');
    expect(answer.text).toMatch(/^logs_sse_connections 0$/m);
    for (const line of answer.text.trim().split('\n'))
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+ \d+(\.\d+)?)$/);
  });

  it('answers unknown paths with 404 and wrong methods with 405, as JSON errors', async () => {
    g = await startGateway();
    const missing = await call(`${g.url}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('not_found');
    const wrong = await call(`${g.url}/api/logs/publish`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(wrong.json.error.code).toBe('method_not_allowed');
    const post = await call(`${g.url}/api/logs/stream?channels=logs:a:b:c`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('CORS', () => {
  it('answers allowed origins and their preflight, and refuses others', async () => {
    g = await startGateway({ corsOrigins: ['https://app.example.com'] });
    const preflight = await call(`${g.url}/api/logs/publish`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('last-event-id');
    const simple = await call(`${g.url}/health`, { headers: { origin: 'https://app.example.com' } });
    expect(simple.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    // Open mode refuses other origins outright (openMode.test.ts); CORS alone only withholds the header.
    const stranger = await call(`${g.url}/health`, { headers: { origin: 'https://evil.example' } });
    expect(stranger.status).toBe(403);
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    const strangerPreflight = await call(`${g.url}/api/logs/publish`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(strangerPreflight.status).toBe(403);
    expect(strangerPreflight.json.error.code).toBe('forbidden');
  });

  it('with auth, answers other origins without CORS headers, so their pages cannot read the answer', async () => {
    g = await startGateway({
      corsOrigins: ['https://app.example.com'],
      auth: { adminToken: 'admin-secret-0123456789' },
    });
    const stranger = await call(`${g.url}/health`, { headers: { origin: 'https://evil.example' } });
    expect(stranger.status).toBe(200);
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    const strangerPreflight = await call(`${g.url}/api/logs/publish`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(strangerPreflight.status).toBe(403);
    expect(strangerPreflight.json.error).toEqual({
      code: 'forbidden',
      message:
        'origin "https://evil.example" is not in corsOrigins: add it there to let its pages call this gateway',
    });
  });

  it('sends no CORS headers by default', async () => {
    g = await startGateway({ auth: { adminToken: 'admin-secret-0123456789' } });
    const answer = await call(`${g.url}/health`, { headers: { origin: 'https://app.example.com' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });
});
