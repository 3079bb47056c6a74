import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway, GatewayError } from '@logs-sse/gateway';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { call, log, openStream, publish, type Started, startGateway } from './helpers';

let g: Started;
afterEach(() => g?.gateway.close());

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
const auth = {
  publishers: [{ token: 'pub-etl-token-0001', services: ['etl'] }],
  subscribers: [{ token: 'sub-ws1-token-0001', channels: ['logs:*:ws1:*', 'logs:api:ws2:r1'] }],
  jwt: { secret: SECRET },
  adminToken: 'admin-secret-0001',
};

function jwt(claims: Record<string, unknown>, expiresIn = '5m') {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(SECRET));
}

const etl = (message: string) => ({ channel: 'logs:etl:ws1:r1', message });

describe('auth', () => {
  it('publishes with a publisher token only to its services', async () => {
    g = await startGateway({ auth });
    expect((await publish(g.url, etl('x'))).status).toBe(401);
    expect((await publish(g.url, etl('x'), { token: 'wrong' })).status).toBe(401);
    expect((await publish(g.url, etl('x'), { token: 'pub-etl-token-0001' })).status).toBe(202);
    const forbidden = await publish(
      g.url,
      { channel: 'logs:api:ws1:r1', message: 'x' },
      { token: 'pub-etl-token-0001' },
    );
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error.code).toBe('forbidden');
    const partial = await publish(
      g.url,
      { logs: [etl('ok'), { channel: 'logs:api:ws1:r1', message: 'no' }] },
      { token: 'pub-etl-token-0001' },
    );
    expect(partial.status).toBe(202);
    expect(partial.json.rejected).toEqual([
      { index: 1, error: { code: 'forbidden', message: expect.any(String) } },
    ]);
  });

  it('streams only patterns covered by the token, by header or access_token query', async () => {
    g = await startGateway({ auth });
    expect((await openStream(g.url, 'channels=logs:etl:ws1:r1')).status).toBe(401);
    const byHeader = await openStream(g.url, 'channels=logs:etl:ws1:r1,logs:*:ws1:*', {
      authorization: 'Bearer sub-ws1-token-0001',
    });
    expect(byHeader.status).toBe(200);
    byHeader.close();
    const byQuery = await openStream(g.url, 'channels=logs:api:ws2:r1&access_token=sub-ws1-token-0001');
    expect(byQuery.status).toBe(200);
    byQuery.close();
    for (const pattern of ['logs:*:*:*', 'logs:api:ws2:*', 'logs:etl:ws2:r1']) {
      const denied = await openStream(g.url, `channels=${pattern}&access_token=sub-ws1-token-0001`);
      expect(denied.status).toBe(403);
      expect(JSON.parse(denied.body).error.code).toBe('forbidden');
    }
    const history = await call(
      `${g.url}/api/logs/history?channel=logs:etl:ws2:r1&access_token=sub-ws1-token-0001`,
    );
    expect(history.status).toBe(403);
  });

  it('reads JWT claims: services to publish, channels to read', async () => {
    g = await startGateway({ auth });
    const publisher = await jwt({ services: ['etl'] });
    expect((await publish(g.url, etl('from jwt'), { token: publisher })).status).toBe(202);
    expect(
      (await publish(g.url, { channel: 'logs:api:a:b', message: 'x' }, { token: publisher })).status,
    ).toBe(403);
    const reader = await jwt({ channels: ['logs:etl:*:*'] });
    const stream = await openStream(g.url, `channels=logs:etl:ws1:r1&tail=5&access_token=${reader}`);
    await stream.untilEvents('log', 1);
    expect(stream.data('log')[0].message).toBe('from jwt');
    stream.close();
    expect((await openStream(g.url, `channels=logs:api:*:*&access_token=${reader}`)).status).toBe(403);
    expect((await openStream(g.url, `channels=logs:etl:a:b&access_token=${publisher}`)).status).toBe(403);
  });

  it('lets a JWT with services ["*"] publish to any service', async () => {
    g = await startGateway({ auth });
    const any = await jwt({ services: ['*'] });
    expect((await publish(g.url, etl('etl'), { token: any })).status).toBe(202);
    expect((await publish(g.url, { channel: 'logs:api:a:b', message: 'x' }, { token: any })).status).toBe(
      202,
    );
  });

  it('answers 401 to expired, badly signed and malformed JWTs', async () => {
    g = await startGateway({ auth });
    const expired = await new SignJWT({ services: ['etl'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(SECRET));
    const answer = await publish(g.url, etl('x'), { token: expired });
    expect(answer.status).toBe(401);
    expect(answer.json.error.message).toBe('token expired');
    const foreign = await new SignJWT({ services: ['etl'] })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('another-secret-another-secret-xx'));
    expect((await publish(g.url, etl('x'), { token: foreign })).status).toBe(401);
    expect((await publish(g.url, etl('x'), { token: 'a.b.c' })).status).toBe(401);
  });

  it('verifies asymmetric JWTs against a JWKS URL', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    try {
      g = await startGateway({ auth: { jwt: { jwksUrl, issuer: 'https://issuer.example' } } });
      const sign = (issuer: string) =>
        new SignJWT({ services: ['etl'] })
          .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
          .setIssuer(issuer)
          .setExpirationTime('5m')
          .sign(privateKey);
      expect(
        (await publish(g.url, etl('signed'), { token: await sign('https://issuer.example') })).status,
      ).toBe(202);
      expect(
        (await publish(g.url, etl('wrong issuer'), { token: await sign('https://other.example') })).status,
      ).toBe(401);
    } finally {
      jwks.closeAllConnections();
      await new Promise((resolve) => jwks.close(resolve));
    }
  });

  it('guards stats and metrics with the admin token', async () => {
    g = await startGateway({ auth });
    expect((await call(`${g.url}/admin/logs/stats`)).status).toBe(401);
    expect(
      (await call(`${g.url}/admin/logs/stats`, { headers: { authorization: 'Bearer pub-etl-token-0001' } }))
        .status,
    ).toBe(403);
    const stats = await call(`${g.url}/admin/logs/stats`, {
      headers: { authorization: 'Bearer admin-secret-0001' },
    });
    expect(stats.status).toBe(200);
    expect(stats.json.connections).toBe(0);
    expect((await call(`${g.url}/metrics`)).status).toBe(401);
    expect(
      (await call(`${g.url}/metrics`, { headers: { authorization: 'Bearer admin-secret-0001' } })).status,
    ).toBe(200);
    expect((await call(`${g.url}/health`)).status).toBe(200);
  });

  it('refuses to listen open on a non-loopback address, with a clear message', async () => {
    g = await startGateway();
    const open = createGateway({ logger: false });
    const error = await open.listen({ port: 0, host: '0.0.0.0' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('open_on_public_host');
    expect((error as GatewayError).message).toMatch(/without auth/);
    await open.close();
    const secured = createGateway({ logger: false, auth });
    const { url } = await secured.listen({ port: 0, host: '0.0.0.0' });
    expect(url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    await secured.close();
  });

  it('throws on misconfigured auth, saying what to fix', () => {
    expect(() =>
      createGateway({
        logger: false,
        auth: { subscribers: [{ token: 'subscriber-token-1', channels: ['bad'] }] },
      }),
    ).toThrow(/channel patterns/);
    expect(() =>
      createGateway({ logger: false, auth: { publishers: [{ token: '', services: ['x'] }] } }),
    ).toThrow(/non-empty/);
    expect(() => createGateway({ logger: false, auth: { jwt: {} } })).toThrow(/exactly one of/);
    expect(() => createGateway({ logger: false, historyPerChannel: 0 })).toThrow(/historyPerChannel/);
  });
});

describe('open mode', () => {
  it('lets anyone publish and read on loopback', async () => {
    g = await startGateway();
    expect((await publish(g.url, log('a', 'x'))).status).toBe(202);
  });
});
