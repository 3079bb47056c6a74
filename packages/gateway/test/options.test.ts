import { createGateway, GatewayError, type GatewayOptions } from '@logs-sse/gateway';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { call, publish, type Started, startGateway } from './helpers';

let g: Started | undefined;
afterEach(async () => {
  await g?.gateway.close();
  g = undefined;
});

const PUBLISHER = 'publisher-token-01';
const SUBSCRIBER = 'subscriber-token-1';
const ADMIN = 'admin-token-000001';
const SECRET_32 = 'k'.repeat(32);
const etl = { channel: 'logs:etl:ws1:r1', message: 'x' };

/** The error `createGateway(options)` throws; fails the test when it throws none. */
function refusal(options: unknown): GatewayError {
  try {
    createGateway({ logger: false, ...(options as GatewayOptions) }).close();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('invalid_options');
    return error as GatewayError;
  }
  throw new Error(`createGateway accepted ${JSON.stringify(options)}`);
}

/** Builds and closes a gateway: rejects when the options are refused. */
function accepts(options: GatewayOptions): Promise<void> {
  return createGateway({ logger: false, ...options }).close();
}

function sign(claims: Record<string, unknown>, secret: string, alg = 'HS256', exp: string | null = '5m') {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg }).setIssuedAt();
  if (exp !== null) jwt.setExpirationTime(exp);
  return jwt.sign(new TextEncoder().encode(secret));
}

describe('unknown and misplaced options', () => {
  it.each([
    [
      { maxBodyByte: 1024 },
      'unknown option "maxBodyByte" in createGateway options (top level); did you mean "maxBodyBytes"?',
    ],
    [
      { hearbeatSeconds: 5 },
      'unknown option "hearbeatSeconds" in createGateway options (top level); did you mean "heartbeatSeconds"?',
    ],
    [
      { publishers: [{ token: PUBLISHER, services: ['etl'] }] },
      'unknown option "publishers" in createGateway options (top level); it belongs under "auth"',
    ],
    [
      { auth: { publisher: [{ token: PUBLISHER, services: ['etl'] }] } },
      'unknown option "publisher" in createGateway options (in "auth"); did you mean "publishers"?',
    ],
    [
      {
        auth: {
          publishers: [
            { token: PUBLISHER, services: ['etl'] },
            { token: ADMIN, service: ['api'] },
          ],
        },
      },
      'unknown option "service" in createGateway options (in "auth.publishers[1]"); did you mean "services"?',
    ],
    [
      { auth: { subscribers: [{ token: SUBSCRIBER, channels: ['logs:*:*:*'], adminToken: ADMIN }] } },
      'unknown option "adminToken" in createGateway options (in "auth.subscribers[0]"); it belongs under "auth"',
    ],
    [
      { auth: { jwt: { secret: SECRET_32, issuers: 'https://issuer.example' } } },
      'unknown option "issuers" in createGateway options (in "auth.jwt"); did you mean "issuer"?',
    ],
    [
      { auth: { jwt: { secret: SECRET_32 }, maxBodyBytes: 10 } },
      'unknown option "maxBodyBytes" in createGateway options (in "auth"); it belongs at the top level',
    ],
    [
      { publishRateLimit: { entriesPerSecond: 5, brust: 10 } },
      'unknown option "brust" in createGateway options (in "publishRateLimit"); did you mean "burst"?',
    ],
    [
      { publisher: [] },
      'unknown option "publisher" in createGateway options (top level); did you mean "auth.publishers"?',
    ],
    [
      { port: 3002 },
      'unknown option "port" in createGateway options (top level); it is an option of listen(), not of createGateway()',
    ],
    [
      { auth: { jwt: { secret: SECRET_32 }, zzz: 1 } },
      'unknown option "zzz" in createGateway options (in "auth"); expected one of "publishers", "subscribers", "jwt", "adminToken"',
    ],
  ])('refuses %j, naming the key, where it is and what was meant', (options, message) => {
    expect(refusal(options).message).toBe(message);
  });

  it('does not take keys of the prototype for options', () => {
    expect(refusal(JSON.parse('{"constructor": 1}')).message).toMatch(/^unknown option "constructor"/);
  });
});

describe('types and ranges', () => {
  it.each([
    [
      { historyPerChannel: 0 },
      'historyPerChannel in createGateway options must be a whole number >= 1; got 0',
    ],
    [{ maxChannels: 2.5 }, 'maxChannels in createGateway options must be a whole number >= 1; got 2.5'],
    [
      { heartbeatSeconds: 3_000_000 },
      'heartbeatSeconds in createGateway options must be a number from 0.001 to 2147483.647; got 3000000',
    ],
    [{ retryMs: '2000' }, 'retryMs in createGateway options must be a number >= 0; got "2000"'],
    [
      { flushWindowMs: -1 },
      'flushWindowMs in createGateway options must be a whole number from 0 to 1000; got -1',
    ],
    [
      { flushWindowMs: 2.5 },
      'flushWindowMs in createGateway options must be a whole number from 0 to 1000; got 2.5',
    ],
    [
      { flushWindowMs: 5000 },
      'flushWindowMs in createGateway options must be a whole number from 0 to 1000; got 5000',
    ],
    [
      { corsOrigins: ['https://app.example.com/'] },
      'corsOrigins in createGateway options must hold "*" or origins such as "https://app.example.com" (scheme, host and port only); got "https://app.example.com/"; did you mean "https://app.example.com"?',
    ],
    [
      { publishRateLimit: { entriesPerSecond: 0 } },
      'publishRateLimit.entriesPerSecond in createGateway options must be a number above 0; got 0',
    ],
    [
      { logger: console.log },
      'logger in createGateway options must be false or a pino-like logger with debug, info, warn and error',
    ],
    [
      { store: {} },
      'store in createGateway options must be a LogStore, such as a MemoryStore or a RedisStore',
    ],
    [
      { auth: 'opne' },
      'auth in createGateway options must be an object with publishers, subscribers, jwt or adminToken, or "open" to run without auth on loopback only; got "opne"; did you mean "open"?',
    ],
    [
      { auth: {} },
      'auth in createGateway options grants nothing: give publishers, subscribers, jwt or adminToken, or write "auth": "open" to run without auth on loopback only',
    ],
    [
      { auth: { publishers: [{ token: PUBLISHER, services: [] }] } },
      'auth.publishers[0].services in createGateway options must be a non-empty array of service names or "*"',
    ],
  ])('refuses %j', (options, message) => {
    expect(refusal(options).message).toBe(message);
  });
});

describe('open mode', () => {
  it('runs open with auth "open", and still only on loopback addresses', async () => {
    g = await startGateway({ auth: 'open' });
    expect((await publish(g.url, etl)).status).toBe(202);
    const open = createGateway({ logger: false, auth: 'open' });
    const error = await open.listen({ port: 0, host: '0.0.0.0' }).catch((e: unknown) => e);
    expect((error as GatewayError).code).toBe('open_on_public_host');
    await open.close();
  });
});

describe('weak credentials are refused', () => {
  it.each([
    ['a blank token', '   ', 'must be a non-empty string; got "   "'],
    ['an empty token', '', 'must be a non-empty string; got ""'],
    [
      'whitespace in a token',
      'publisher token 01',
      'must not contain whitespace: no Authorization header could carry it',
    ],
    [
      'a trailing newline',
      `${PUBLISHER}\n`,
      'must not contain whitespace: no Authorization header could carry it',
    ],
    [
      'a 15-character token',
      'a'.repeat(15),
      'is 15 characters long; tokens need at least 16: use a random value such as the output of `openssl rand -hex 16`',
    ],
  ])('%s', (_name, token, problem) => {
    expect(refusal({ auth: { publishers: [{ token, services: ['etl'] }] } }).message).toBe(
      `auth.publishers[0].token in createGateway options ${problem}`,
    );
    expect(refusal({ auth: { adminToken: token } }).message).toBe(
      `auth.adminToken in createGateway options ${problem}`,
    );
  });

  it('accepts a 16-character token', async () => {
    g = await startGateway({ auth: { publishers: [{ token: 'p'.repeat(16), services: ['etl'] }] } });
    expect((await publish(g.url, etl, { token: 'p'.repeat(16) })).status).toBe(202);
  });

  it.each([
    [
      { publishers: [{ token: PUBLISHER, services: ['etl'] }], adminToken: PUBLISHER },
      'auth.publishers[0].token and auth.adminToken',
    ],
    [
      {
        publishers: [{ token: PUBLISHER, services: ['etl'] }],
        subscribers: [{ token: PUBLISHER, channels: ['logs:etl:*:*'] }],
      },
      'auth.publishers[0].token and auth.subscribers[0].token',
    ],
    [
      { subscribers: [{ token: ADMIN, channels: ['logs:etl:*:*'] }], adminToken: ADMIN },
      'auth.subscribers[0].token and auth.adminToken',
    ],
  ])('refuses one token in two roles: %j', (auth, both) => {
    expect(refusal({ auth }).message).toBe(
      `${both} in createGateway options are the same token: give each role a token of its own`,
    );
  });

  it('refuses a token equal to the JWT secret, which would let its bearer sign JWTs', () => {
    expect(refusal({ auth: { jwt: { secret: SECRET_32 }, adminToken: SECRET_32 } }).message).toBe(
      'auth.adminToken in createGateway options equals auth.jwt.secret: its bearer could sign JWTs; use different values',
    );
  });

  it('lets one token appear twice in the same role, with the services of both', async () => {
    g = await startGateway({
      auth: {
        publishers: [
          { token: PUBLISHER, services: ['etl'] },
          { token: PUBLISHER, services: ['api'] },
        ],
      },
    });
    expect((await publish(g.url, etl, { token: PUBLISHER })).status).toBe(202);
    expect(
      (await publish(g.url, { channel: 'logs:api:a:b', message: 'x' }, { token: PUBLISHER })).status,
    ).toBe(202);
  });

  it.each([
    [undefined, 31, 'HS256 needs at least 32'],
    [['HS384'], 47, 'HS384 needs at least 48'],
    [['HS256', 'HS512'], 63, 'HS512 needs at least 64'],
  ])('refuses a JWT secret shorter than the hash of %j', async (algorithms, bytes, problem) => {
    const jwt = { secret: 's'.repeat(bytes), ...(algorithms && { algorithms }) };
    expect(refusal({ auth: { jwt } }).message).toBe(
      `auth.jwt.secret in createGateway options is ${bytes} bytes long; ${problem}: use a random value such as the output of \`openssl rand -hex ${bytes + 1}\``,
    );
    await accepts({ auth: { jwt: { ...jwt, secret: 's'.repeat(bytes + 1) } } });
  });

  it('counts the bytes of a JWT secret, not its characters', async () => {
    // 16 characters of 2 bytes each: 32 bytes.
    await accepts({ auth: { jwt: { secret: 'é'.repeat(16) } } });
    expect(refusal({ auth: { jwt: { secret: 'é'.repeat(15) } } }).message).toMatch(/is 30 bytes long/);
  });

  it.each([
    [{ secret: SECRET_32, algorithms: ['RS256'] }, 'with "secret"'],
    [{ jwksUrl: 'https://issuer.example/jwks.json', algorithms: ['HS256'] }, 'with "jwksUrl"'],
    [{ secret: SECRET_32, algorithms: [] }, 'with "secret"'],
  ])('refuses algorithms that do not go with the key: %j', (jwt, kind) => {
    expect(refusal({ auth: { jwt } }).message).toMatch(
      new RegExp(
        `^auth\\.jwt\\.algorithms in createGateway options must be a non-empty array of .* \\(${kind}\\)`,
      ),
    );
  });

  it('refuses a JWKS URL that is not http(s)', () => {
    expect(refusal({ auth: { jwt: { jwksUrl: 'file:///etc/jwks.json' } } }).message).toBe(
      'auth.jwt.jwksUrl in createGateway options must be an http(s) URL such as https://issuer.example/.well-known/jwks.json; got "file:///etc/jwks.json"',
    );
  });
});

describe('JWT verification', () => {
  it('answers 401 to a JWT without exp, unless allowMissingExp is set', async () => {
    const token = await sign({ services: ['etl'] }, SECRET_32, 'HS256', null);
    g = await startGateway({ auth: { jwt: { secret: SECRET_32 } } });
    const refused = await publish(g.url, etl, { token });
    expect(refused.status).toBe(401);
    expect(refused.json.error.message).toBe('token has no expiry (exp claim)');
    await g.gateway.close();

    g = await startGateway({ auth: { jwt: { secret: SECRET_32, allowMissingExp: true } } });
    expect((await publish(g.url, etl, { token })).status).toBe(202);
  });

  it('accepts only the pinned algorithms: HS256 by default', async () => {
    const secret = 'k'.repeat(64);
    const hs512 = await sign({ services: ['etl'] }, secret, 'HS512');
    g = await startGateway({ auth: { jwt: { secret } } });
    const refused = await publish(g.url, etl, { token: hs512 });
    expect(refused.status).toBe(401);
    expect(refused.json.error.message).toBe('invalid token');
    expect((await publish(g.url, etl, { token: await sign({ services: ['etl'] }, secret) })).status).toBe(
      202,
    );
    await g.gateway.close();

    g = await startGateway({ auth: { jwt: { secret, algorithms: ['HS512'] } } });
    expect((await publish(g.url, etl, { token: hs512 })).status).toBe(202);
    expect((await publish(g.url, etl, { token: await sign({ services: ['etl'] }, secret) })).status).toBe(
      401,
    );
  });

  it('refuses allowMissingExp that is not a boolean', () => {
    expect(refusal({ auth: { jwt: { secret: SECRET_32, allowMissingExp: 'yes' } } }).message).toBe(
      'auth.jwt.allowMissingExp in createGateway options must be true or false; got "yes"',
    );
  });
});

describe('still open by default for library users', () => {
  it('runs open on loopback when auth is left out', async () => {
    g = await startGateway({ auth: undefined });
    expect((await publish(g.url, etl)).status).toBe(202);
    expect((await call(`${g.url}/admin/logs/stats`)).status).toBe(200);
  });
});
