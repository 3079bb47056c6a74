import { isValidChannelPattern, isValidSegment } from '@logs-sse/protocol';
import { invalidOptions as invalid, showValue as show } from '../errors';
import { isPlainObject } from './checkKeys';
import { nearest } from './nearest';

/** Shortest static token accepted: 16 characters of a random hex string is 64 bits. */
export const MIN_TOKEN_LENGTH = 16;

/** HMAC algorithms and the bytes of secret each needs: no less than its hash (RFC 7518, section 3.2). */
export const HMAC_SECRET_BYTES: Readonly<Record<string, number>> = { HS256: 32, HS384: 48, HS512: 64 };

/** Algorithms accepted from a JWKS when `algorithms` is not given: every asymmetric one, never HMAC. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

/** Also accepted when listed explicitly, on runtimes that support them. */
const OTHER_ASYMMETRIC = ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87'];

/**
 * Checks `auth` (from `createGateway` options or the config file, named by `source`): its types, and
 * that its credentials are not weak. Throws on the first problem with a message that says what to do.
 */
export function checkAuth(auth: unknown, source: string): void {
  const at = (path: string) => `${path} in ${source}`;
  if (auth === undefined || auth === 'open') return;
  if (!isPlainObject(auth)) {
    const typo = typeof auth === 'string' && nearest(auth, ['open']) ? '; did you mean "open"?' : '';
    throw invalid(
      `${at('auth')} must be an object with publishers, subscribers, jwt or adminToken, or "open" to run without auth on loopback only; got ${show(auth)}${typo}`,
    );
  }
  const roles: { token: string; path: string }[] = [];
  const publishers = listOf(auth.publishers, at('auth.publishers'));
  publishers.forEach((p, i) => {
    const path = `auth.publishers[${i}]`;
    checkToken(p.token, at(`${path}.token`));
    if (
      !Array.isArray(p.services) ||
      p.services.length === 0 ||
      p.services.some((s) => s !== '*' && !isValidSegment(s))
    ) {
      throw invalid(`${at(`${path}.services`)} must be a non-empty array of service names or "*"`);
    }
    roles.push({ token: p.token, path: `${path}.token` });
  });
  const subscribers = listOf(auth.subscribers, at('auth.subscribers'));
  subscribers.forEach((s, i) => {
    const path = `auth.subscribers[${i}]`;
    checkToken(s.token, at(`${path}.token`));
    if (!Array.isArray(s.channels) || s.channels.length === 0 || !s.channels.every(isValidChannelPattern)) {
      throw invalid(
        `${at(`${path}.channels`)} must be a non-empty array of channel patterns such as "logs:etl:*:*"`,
      );
    }
    roles.push({ token: s.token, path: `${path}.token` });
  });
  if (auth.adminToken !== undefined) {
    checkToken(auth.adminToken, at('auth.adminToken'));
    roles.push({ token: auth.adminToken, path: 'auth.adminToken' });
  }
  const secret = auth.jwt === undefined ? undefined : checkJwt(auth.jwt, at);
  if (roles.length === 0 && auth.jwt === undefined) {
    throw invalid(
      `${at('auth')} grants nothing: give publishers, subscribers, jwt or adminToken, or write "auth": "open" to run without auth on loopback only`,
    );
  }
  checkRolesApart(roles, secret, source);
}

/**
 * A static token: a string of at least 16 characters without whitespace (an `Authorization: Bearer`
 * header cannot carry whitespace, so such a token could never be presented).
 */
export function checkToken(token: unknown, where: string): asserts token is string {
  if (typeof token !== 'string' || token.trim() === '') {
    throw invalid(`${where} must be a non-empty string; got ${show(token)}`);
  }
  if (/\s/.test(token)) {
    throw invalid(`${where} must not contain whitespace: no Authorization header could carry it`);
  }
  const length = [...token].length;
  if (length < MIN_TOKEN_LENGTH) {
    throw invalid(
      `${where} is ${length} characters long; tokens need at least ${MIN_TOKEN_LENGTH}: use a random value such as the output of \`openssl rand -hex 16\``,
    );
  }
}

/** An HMAC secret at least as long as the hash of the longest algorithm it may verify. */
export function checkJwtSecret(secret: unknown, algorithms: readonly string[], where: string): void {
  if (typeof secret !== 'string' || secret.trim() === '') {
    throw invalid(`${where} must be a non-empty string; got ${show(secret)}`);
  }
  const needed = Math.max(...algorithms.map((a) => HMAC_SECRET_BYTES[a] ?? 0));
  const longest = algorithms.find((a) => HMAC_SECRET_BYTES[a] === needed);
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < needed) {
    throw invalid(
      `${where} is ${bytes} bytes long; ${longest} needs at least ${needed}: use a random value such as the output of \`openssl rand -hex ${needed}\``,
    );
  }
}

/** The algorithms `jwt` accepts: those it lists, else HS256 for a secret and the asymmetric ones for a JWKS. */
export function jwtAlgorithms(jwt: { secret?: unknown; algorithms?: readonly string[] }): readonly string[] {
  return jwt.algorithms ?? (jwt.secret === undefined ? ASYMMETRIC_ALGORITHMS : ['HS256']);
}

/** Checks `auth.jwt`; returns its secret, if it has one. */
function checkJwt(jwt: unknown, at: (path: string) => string): string | undefined {
  if (!isPlainObject(jwt)) throw invalid(`${at('auth.jwt')} must be an object; got ${show(jwt)}`);
  const { secret, jwksUrl, issuer, audience, algorithms, allowMissingExp } = jwt;
  if ((secret === undefined) === (jwksUrl === undefined)) {
    throw invalid(`${at('auth.jwt')} needs exactly one of "secret" or "jwksUrl"`);
  }
  for (const [name, value] of [
    ['issuer', issuer],
    ['audience', audience],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
      throw invalid(`${at(`auth.jwt.${name}`)} must be a non-empty string; got ${show(value)}`);
    }
  }
  if (allowMissingExp !== undefined && typeof allowMissingExp !== 'boolean') {
    throw invalid(`${at('auth.jwt.allowMissingExp')} must be true or false; got ${show(allowMissingExp)}`);
  }
  const symmetric = secret !== undefined;
  const allowed = symmetric
    ? Object.keys(HMAC_SECRET_BYTES)
    : [...ASYMMETRIC_ALGORITHMS, ...OTHER_ASYMMETRIC];
  if (
    algorithms !== undefined &&
    (!Array.isArray(algorithms) ||
      algorithms.length === 0 ||
      algorithms.some((a) => typeof a !== 'string' || !allowed.includes(a)))
  ) {
    throw invalid(
      `${at('auth.jwt.algorithms')} must be a non-empty array of ${allowed.join(', ')} (with ${symmetric ? '"secret"' : '"jwksUrl"'}); got ${show(algorithms)}`,
    );
  }
  if (symmetric) {
    checkJwtSecret(secret, jwtAlgorithms({ secret, algorithms }), at('auth.jwt.secret'));
    return secret as string;
  }
  let url: URL | undefined;
  try {
    url = new URL(String(jwksUrl));
  } catch {}
  if (typeof jwksUrl !== 'string' || (url?.protocol !== 'https:' && url?.protocol !== 'http:')) {
    throw invalid(
      `${at('auth.jwt.jwksUrl')} must be an http(s) URL such as https://issuer.example/.well-known/jwks.json; got ${show(jwksUrl)}`,
    );
  }
  return undefined;
}

/**
 * One token in two roles would hand a publisher's rights to every reader (subscriber tokens travel in
 * URLs) or the admin's to a publisher; a token equal to the JWT secret would let its bearer sign JWTs.
 */
function checkRolesApart(
  roles: readonly { token: string; path: string }[],
  secret: string | undefined,
  source: string,
): void {
  const seen = new Map<string, string>();
  const role = (path: string) => path.replace(/\[\d+\].*$/, '').replace(/^auth\./, '');
  for (const { token, path } of roles) {
    const first = seen.get(token);
    if (first !== undefined && role(first) !== role(path)) {
      throw invalid(
        `${first} and ${path} in ${source} are the same token: give each role a token of its own`,
      );
    }
    if (first === undefined) seen.set(token, path);
    if (token === secret) {
      throw invalid(
        `${path} in ${source} equals auth.jwt.secret: its bearer could sign JWTs; use different values`,
      );
    }
  }
}

/** Reads an optional array of objects. */
function listOf(value: unknown, where: string): Record<string, unknown>[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isPlainObject)) {
    throw invalid(`${where} must be an array of objects; got ${show(value)}`);
  }
  return value;
}
