import { afterEach, describe, expect, it } from 'vitest';
import { log, openStream, publish, rawCall, recordingLogger, type Started, startGateway } from './helpers';

let g: Started;
afterEach(() => g?.gateway.close());

const auth = {
  publishers: [{ token: 'pub-secret-1-0123456789', services: ['svc'] }],
  subscribers: [{ token: 'sub-secret-2-0123456789', channels: ['logs:svc:*:*'] }],
  adminToken: 'admin-secret-3-0123456789',
};

function useHeader(path: string) {
  return {
    code: 'invalid_query',
    message: `${path} takes no access_token: send the token as "Authorization: Bearer <token>"`,
  };
}

const BOTH = {
  code: 'invalid_query',
  message: 'send the token once: in the Authorization header or as access_token, not both',
};

describe('?access_token=', () => {
  it('is refused where a client can send headers, with auth and without', async () => {
    for (const options of [{ auth }, {}]) {
      g = await startGateway(options);
      const json = { 'content-type': 'application/json' };
      const posted = await rawCall(g.url, '/api/logs/publish?access_token=pub-secret-1-0123456789', {
        method: 'POST',
        headers: json,
        body: JSON.stringify(log('r1', 'x')),
      });
      expect([posted.status, posted.json.error]).toEqual([400, useHeader('/api/logs/publish')]);
      const heartbeat = await rawCall(
        g.url,
        '/api/logs/publishers/heartbeat?access_token=pub-secret-1-0123456789',
        {
          method: 'POST',
          headers: { ...json, authorization: 'Bearer pub-secret-1-0123456789' },
          body: JSON.stringify({ publisherId: 'p1' }),
        },
      );
      expect(heartbeat.json.error).toEqual(useHeader('/api/logs/publishers/heartbeat'));
      for (const path of ['/admin/logs/stats', '/metrics']) {
        const answer = await rawCall(g.url, `${path}?access_token=admin-secret-3-0123456789`);
        expect([answer.status, answer.json.error]).toEqual([400, useHeader(path)]);
        const head = await rawCall(g.url, `${path}?access_token=admin-secret-3-0123456789`, {
          method: 'HEAD',
        });
        expect(head.status).toBe(400);
      }
      expect(g.gateway.stats().logs.in).toBe(0);
      expect(g.gateway.stats().publishers).toEqual([]);
      await g.gateway.close();
    }
  });

  it('is taken by the stream and the history, where EventSource and links cannot send headers', async () => {
    g = await startGateway({ auth });
    expect((await publish(g.url, log('r1', 'kept'), { token: 'pub-secret-1-0123456789' })).status).toBe(202);
    const stream = await openStream(
      g.url,
      'channels=logs:svc:ws:r1&tail=1&access_token=sub-secret-2-0123456789',
    );
    expect(stream.status).toBe(200);
    await stream.untilEvents('log', 1);
    stream.close();
    const history = await rawCall(
      g.url,
      '/api/logs/history?channel=logs:svc:ws:r1&access_token=sub-secret-2-0123456789',
    );
    expect(history.json.logs.map((e: { message: string }) => e.message)).toEqual(['kept']);
    const head = await rawCall(
      g.url,
      '/api/logs/stream?channels=logs:svc:ws:r1&access_token=sub-secret-2-0123456789',
      {
        method: 'HEAD',
      },
    );
    expect(head.status).toBe(200);
    const wrong = await rawCall(g.url, '/api/logs/history?channel=logs:svc:ws:r1&access_token=nope');
    expect([wrong.status, wrong.json.error.code]).toEqual([401, 'unauthorized']);
  });

  it('is refused next to a bearer header, and twice; another scheme in the header is not a token', async () => {
    g = await startGateway({ auth });
    const path = '/api/logs/history?channel=logs:svc:ws:r1';
    const both = await rawCall(g.url, `${path}&access_token=sub-secret-2-0123456789`, {
      headers: { authorization: 'Bearer sub-secret-2-0123456789' },
    });
    expect([both.status, both.json.error]).toEqual([400, BOTH]);
    const stream = await openStream(g.url, 'channels=logs:svc:ws:r1&access_token=sub-secret-2-0123456789', {
      authorization: 'bearer other',
    });
    expect([stream.status, JSON.parse(stream.body).error]).toEqual([400, BOTH]);
    const twice = await rawCall(
      g.url,
      `${path}&access_token=sub-secret-2-0123456789&access_token=sub-secret-2-0123456789`,
    );
    expect([twice.status, twice.json.error]).toEqual([
      400,
      { code: 'invalid_query', message: 'send one access_token, not several' },
    ]);
    // A browser resends the Basic credentials of a proxy in front of the gateway on its own.
    const behindProxy = await rawCall(g.url, `${path}&access_token=sub-secret-2-0123456789`, {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(behindProxy.status).toBe(200);
  });

  it('never reaches the gateway log', async () => {
    const { lines, logger } = recordingLogger();
    g = await startGateway({ auth, logger: { ...logger }, corsOrigins: ['https://app.example'] });
    const tokens = [
      'pub-secret-1-0123456789',
      'sub-secret-2-0123456789',
      'admin-secret-3-0123456789',
      'unknown-secret-4',
    ];
    const stream = await openStream(g.url, 'channels=logs:svc:ws:r1&access_token=sub-secret-2-0123456789', {
      origin: 'https://app.example',
    });
    expect(stream.status).toBe(200);
    stream.close();
    await openStream(g.url, 'channels=logs:svc:ws:r1&access_token=unknown-secret-4');
    await openStream(g.url, 'channels=logs:other:ws:r1&access_token=sub-secret-2-0123456789');
    await rawCall(g.url, '/api/logs/history?channel=logs:svc:ws:r1&access_token=sub-secret-2-0123456789');
    await rawCall(g.url, '/api/logs/publish?access_token=pub-secret-1-0123456789', { method: 'POST' });
    await rawCall(g.url, '/metrics?access_token=admin-secret-3-0123456789');
    await rawCall(g.url, '/nope?access_token=admin-secret-3-0123456789');
    await g.gateway.close();
    expect(lines.some((line) => line.includes('"msg":"stream opened"'))).toBe(true);
    for (const token of tokens) expect(lines.filter((line) => line.includes(token))).toEqual([]);
  });
});
