import { createHash, createHmac, randomBytes } from 'node:crypto';
import { isValidChannelPattern, isValidSegment } from '@logs-sse/protocol';
import { createRemoteJWKSet, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import type { AuthOptions, JwtOptions } from '../options/options';
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

  /** `options` as `resolveOptions` returns them: checked by `checkAuth`, JWT algorithms filled in. */
  constructor(options: AuthOptions | undefined) {
    this.enabled = options !== undefined;
    if (!options) return;
    for (const p of options.publishers ?? []) {
      const services: Grant['services'] = p.services.includes('*') ? '*' : new Set(p.services);
      this.merge(p.token, { ...NOTHING, services });
    }
    for (const s of options.subscribers ?? []) {
      this.merge(s.token, { ...NOTHING, channels: s.channels.map((c) => new ChannelPattern(c)) });
    }
    if (options.adminToken !== undefined) this.merge(options.adminToken, { ...NOTHING, admin: true });
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
      return { ok: false, code: 'unauthorized', message: jwtRefusal(error) };
    }
  }

  private merge(token: string, grant: Omit<Grant, 'identity'>): void {
    const key = hash(token);
    const before = this.tokens.get(key);
    if (!before) {
      this.tokens.set(key, { ...grant, identity: identify('token', token) });
      return;
    }
    // One token listed twice in a role (checkAuth refuses it in two roles) gets the union of both.
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

function jwtVerifier(options: JwtOptions): (token: string) => Promise<JWTPayload> {
  const { secret, jwksUrl, issuer, audience, algorithms, allowMissingExp } = options;
  // Pinned algorithms: a token cannot choose another, such as HS256 signed with a JWKS public key.
  const verifyOptions = {
    algorithms,
    ...(!allowMissingExp && { requiredClaims: ['exp'] }),
    ...(issuer && { issuer }),
    ...(audience && { audience }),
  };
  if (secret !== undefined) {
    const key = new TextEncoder().encode(secret);
    return async (token) => (await jwtVerify(token, key, verifyOptions)).payload;
  }
  const keys = createRemoteJWKSet(new URL(jwksUrl!));
  return async (token) => (await jwtVerify(token, keys, verifyOptions)).payload;
}

/** The 401 message for a JWT that failed verification: what is wrong, never why a signature failed. */
function jwtRefusal(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token expired';
  if (
    error instanceof joseErrors.JWTClaimValidationFailed &&
    error.claim === 'exp' &&
    error.reason === 'missing'
  ) {
    return 'token has no expiry (exp claim)';
  }
  return 'invalid token';
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
