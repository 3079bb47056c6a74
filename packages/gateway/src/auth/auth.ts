import { createHash, createHmac, randomBytes } from 'node:crypto';
import { isValidChannelPattern, isValidSegment } from '@logs-sse/protocol';
import { createRemoteJWKSet, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { GatewayError } from '../errors';
import type { AuthOptions } from '../options';
import { ChannelPattern } from '../patterns';

/** What a token may do. `services: '*'`/`channels: '*'` mean anything (open mode). */
export interface Grant {
  services: ReadonlySet<string> | '*';
  channels: readonly ChannelPattern[] | '*';
  admin: boolean;
  /**
   * Who holds the token, as an opaque label that reveals nothing of it: `token:…` for a configured token,
   * `jwt:…` for a JWT's issuer and subject (or the token itself without `sub`), `open` without auth. What
   * is kept per caller (publisher stats) is kept per identity, so one caller cannot overwrite another's.
   */
  readonly identity: string;
}

export type AuthResult =
  | { ok: true; grant: Grant }
  | { ok: false; code: 'unauthorized' | 'forbidden'; message: string };

const OPEN: Grant = { services: '*', channels: '*', admin: true, identity: 'open' };
const NOTHING = { services: new Set<string>(), channels: [] as ChannelPattern[], admin: false };

/**
 * Checks bearer tokens: static publisher, subscriber and admin tokens from the config, and JWTs whose
 * `services` and `channels` claims say what they may publish and read. With no auth config, all is open.
 */
export class Auth {
  readonly enabled: boolean;
  private readonly tokens = new Map<string, Grant>();
  private readonly verifyJwt: ((token: string) => Promise<JWTPayload>) | undefined;

  constructor(options: AuthOptions | undefined) {
    this.enabled = options !== undefined;
    if (!options) return;
    for (const [i, p] of (options.publishers ?? []).entries()) {
      requireToken(p?.token, `auth.publishers[${i}].token`);
      if (!Array.isArray(p.services) || p.services.some((s) => s !== '*' && !isValidSegment(s))) {
        throw new GatewayError(
          'invalid_options',
          `auth.publishers[${i}].services must be service names or "*"`,
        );
      }
      const services: Grant['services'] = p.services.includes('*') ? '*' : new Set(p.services);
      this.merge(p.token, { ...NOTHING, services });
    }
    for (const [i, s] of (options.subscribers ?? []).entries()) {
      requireToken(s?.token, `auth.subscribers[${i}].token`);
      this.merge(s.token, {
        ...NOTHING,
        channels: toPatterns(s.channels, `auth.subscribers[${i}].channels`),
      });
    }
    if (options.adminToken !== undefined) {
      requireToken(options.adminToken, 'auth.adminToken');
      this.merge(options.adminToken, { ...NOTHING, admin: true });
    }
    this.verifyJwt = options.jwt && jwtVerifier(options.jwt);
  }

  /** Resolves what the bearer of `token` may do; 401 when it is missing, unknown, expired or invalid. */
  async check(token: string | undefined): Promise<AuthResult> {
    if (!this.enabled) return { ok: true, grant: OPEN };
    if (!token)
      return { ok: false, code: 'unauthorized', message: 'send a token: Authorization: Bearer <token>' };
    const known = this.tokens.get(hash(token));
    if (known) return { ok: true, grant: known };
    if (!this.verifyJwt || token.split('.').length !== 3) {
      return { ok: false, code: 'unauthorized', message: 'unknown token' };
    }
    try {
      return { ok: true, grant: grantFromClaims(await this.verifyJwt(token), token) };
    } catch (error) {
      const message = error instanceof joseErrors.JWTExpired ? 'token expired' : 'invalid token';
      return { ok: false, code: 'unauthorized', message };
    }
  }

  private merge(token: string, grant: Omit<Grant, 'identity'>): void {
    const key = hash(token);
    const before = this.tokens.get(key);
    if (!before) {
      this.tokens.set(key, { ...grant, identity: identify('token', token) });
      return;
    }
    // One token may appear in several roles: it gets the union of them.
    this.tokens.set(key, {
      services:
        before.services === '*' || grant.services === '*'
          ? '*'
          : new Set([...before.services, ...grant.services]),
      channels: [...(before.channels as ChannelPattern[]), ...(grant.channels as ChannelPattern[])],
      admin: before.admin || grant.admin,
      identity: before.identity,
    });
  }
}

/** Whether a grant may publish to channels of `service`. */
export function canPublish(grant: Grant, service: string): boolean {
  return grant.services === '*' || grant.services.has(service);
}

function grantFromClaims(claims: JWTPayload, token: string): Grant {
  const claimed = Array.isArray(claims.services) ? claims.services : [];
  const services = claimed.filter(isValidSegment);
  const channels = Array.isArray(claims.channels) ? claims.channels.filter(isValidChannelPattern) : [];
  return {
    // `*` means every service, as in the static publisher tokens.
    services: claimed.includes('*') ? '*' : new Set(services),
    channels: channels.map((c) => new ChannelPattern(c)),
    admin: false,
    // The subject outlives any one token it is issued: a refreshed JWT keeps its publishers' entries.
    identity: identify(
      'jwt',
      typeof claims.sub === 'string' ? `${claims.iss ?? ''}\n${claims.sub}` : `token\n${token}`,
    ),
  };
}

function jwtVerifier(options: NonNullable<AuthOptions['jwt']>): (token: string) => Promise<JWTPayload> {
  const { secret, jwksUrl, issuer, audience } = options;
  if ((secret === undefined) === (jwksUrl === undefined)) {
    throw new GatewayError('invalid_options', 'auth.jwt needs exactly one of "secret" or "jwksUrl"');
  }
  const verifyOptions = { ...(issuer && { issuer }), ...(audience && { audience }) };
  if (secret !== undefined) {
    requireToken(secret, 'auth.jwt.secret');
    const key = new TextEncoder().encode(secret);
    return async (token) => (await jwtVerify(token, key, verifyOptions)).payload;
  }
  let url: URL;
  try {
    url = new URL(jwksUrl!);
  } catch {
    throw new GatewayError('invalid_options', `auth.jwt.jwksUrl must be a URL, got ${String(jwksUrl)}`);
  }
  const keys = createRemoteJWKSet(url);
  return async (token) => (await jwtVerify(token, keys, verifyOptions)).payload;
}

function toPatterns(value: unknown, where: string): ChannelPattern[] {
  if (!Array.isArray(value) || !value.every(isValidChannelPattern)) {
    throw new GatewayError('invalid_options', `${where} must be channel patterns such as "logs:etl:*:*"`);
  }
  return value.map((c) => new ChannelPattern(c));
}

function requireToken(token: unknown, where: string): asserts token is string {
  if (typeof token !== 'string' || token.length === 0) {
    throw new GatewayError('invalid_options', `${where} must be a non-empty string`);
  }
}

/** Keyed per process, so that an identity shown in the stats cannot be used to test guesses of a token. */
const IDENTITY_KEY = randomBytes(32);

function identify(kind: 'token' | 'jwt', secret: string): string {
  return `${kind}:${createHmac('sha256', IDENTITY_KEY).update(secret).digest('base64url').slice(0, 16)}`;
}

/** Tokens are looked up by hash so the lookup time says nothing about how much of a guess was right. */
function hash(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}
