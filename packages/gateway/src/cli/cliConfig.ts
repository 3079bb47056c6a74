import { readFileSync } from 'node:fs';
import { invalidOptions as invalid } from '../errors';
import { checkJwtSecret, checkToken, jwtAlgorithms } from '../options/checkAuth';
import { checkCorsOrigins, checkNumberOption, checkOptions } from '../options/checkOptions';
import { nearest } from '../options/nearest';
import { type AuthOptions, type GatewayOptions, NUMERIC_OPTIONS } from '../options/options';
import { type LogLevel, toLogLevel, toNumber, toPort, toRateLimit, toRedisUrl, toText } from './cliValues';

/** Everything the command line decides: gateway options, where to listen, and what to do. */
export interface CliConfig {
  /** `auth` is `'open'` when asked for, `undefined` for the development default (no config at all). */
  options: GatewayOptions;
  port: number;
  host: string;
  /** `headersTimeoutMs` and `requestTimeoutMs` of `listen()`, when set. */
  timeouts: { headersTimeoutMs?: number; requestTimeoutMs?: number };
  redisUrl: string | undefined;
  /** Namespace of the Redis keys, so that several deployments can share one Redis. */
  redisPrefix: string | undefined;
  logLevel: LogLevel;
  help: boolean;
}

export const HELP_TEXT = `Usage: logs-sse-gateway [options]

Starts the logs-sse gateway and prints its URL (http://HOST:PORT) on a line of its own.

Options:
  --port <n>        Port to listen on; 0 picks a free one.   [env LOGS_SSE_PORT, default 3002]
  --host <addr>     Address to bind.                          [env LOGS_SSE_HOST, default 127.0.0.1]
  --config <file>   JSON file with gateway options and auth.  [env LOGS_SSE_CONFIG]
  --open            Run without auth, on a loopback address only. [env LOGS_SSE_OPEN=true]
  --redis <url>     Share history and live entries with other gateways through Redis.
                    [env LOGS_SSE_REDIS_URL; key prefix: LOGS_SSE_REDIS_PREFIX, default logs-sse]
  -h, --help        Show this help.

Auth: a config file must hold "auth" (tokens or jwt), or "auth": "open", unless LOGS_SSE_ADMIN_TOKEN or
LOGS_SSE_JWT_SECRET sets it, or --open is passed. Without any config the gateway runs open on loopback.
Static tokens need 16+ characters; an HS256 JWT secret 32+ bytes. Unknown keys in the file are refused.
More environment variables: LOGS_SSE_HEARTBEAT_SECONDS, LOGS_SSE_HISTORY_PER_CHANNEL,
LOGS_SSE_HISTORY_TTL_SECONDS, LOGS_SSE_MAX_HISTORY_BYTES, LOGS_SSE_MAX_BUFFERED_BYTES,
LOGS_SSE_FLUSH_WINDOW_MS (milliseconds a busy stream's writes are joined over; default 50, 0 to turn off),
LOGS_SSE_MAX_BODY_BYTES, LOGS_SSE_MAX_ENTRIES_PER_PUBLISH, LOGS_SSE_IDEMPOTENCY_WINDOW_SECONDS,
LOGS_SSE_IDEMPOTENCY_MAX_KEYS, LOGS_SSE_IDEMPOTENCY_MAX_BYTES, LOGS_SSE_MAX_CHANNELS, LOGS_SSE_RETRY_MS,
LOGS_SSE_SHUTDOWN_RETRY_MS, LOGS_SSE_CLOSE_TIMEOUT_MS, LOGS_SSE_STALLED_READER_TIMEOUT_MS,
LOGS_SSE_MAX_OTLP_ATTRIBUTES, LOGS_SSE_CORS_ORIGINS (comma separated), LOGS_SSE_LOG_LEVEL (fatal, error,
warn, info, debug, trace or silent; default info),
LOGS_SSE_HEADERS_TIMEOUT_MS (default 10000) and LOGS_SSE_REQUEST_TIMEOUT_MS (default 60000): how long a
client may take to send a request's headers, and the whole request, before it gets 408,
LOGS_SSE_ADMIN_TOKEN and LOGS_SSE_JWT_SECRET (set auth.adminToken and auth.jwt.secret),
LOGS_SSE_PUBLISH_RATE_LIMIT (<entriesPerSecond> or <entriesPerSecond>:<burst>, such as 5000:20000: each
service may publish that many entries per second through this gateway, then gets 429; default no limit).
`;

const VALUE_FLAGS = new Set(['port', 'host', 'config', 'redis']);

interface Flags {
  port?: string;
  host?: string;
  config?: string;
  redis?: string;
  open?: boolean;
  help?: boolean;
}

/** What the config file may hold besides gateway options. */
type ConfigFile = GatewayOptions & {
  port?: unknown;
  host?: unknown;
  redis?: unknown;
  redisPrefix?: unknown;
  logLevel?: unknown;
  headersTimeoutMs?: unknown;
  requestTimeoutMs?: unknown;
};

/**
 * Reads flags, then environment variables, then the config file; the first that sets a value wins.
 * Throws a `GatewayError` (`invalid_options`) naming the flag, variable or key at fault.
 */
export function loadCliConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliConfig {
  const flags = parseFlags(argv);
  if (flags.help) {
    return {
      options: {},
      port: 3002,
      host: '127.0.0.1',
      timeouts: {},
      redisUrl: undefined,
      redisPrefix: undefined,
      logLevel: 'info',
      help: true,
    };
  }
  // An empty variable counts as unset, as `VAR= command` and compose files without a value leave it.
  const variable = (name: string) => (env[name] === '' ? undefined : env[name]);
  const configPath = flags.config ?? variable('LOGS_SSE_CONFIG');
  const inFile = (key: string) => `${key} in the config file ${configPath}`;
  const file: ConfigFile = configPath === undefined ? {} : readConfigFile(configPath);
  if (configPath !== undefined) checkOptions(file, { label: `the config file ${configPath}`, kind: 'file' });
  const {
    port: filePort,
    host: fileHost,
    redis: fileRedis,
    redisPrefix: filePrefix,
    logLevel: fileLevel,
    headersTimeoutMs: fileHeadersTimeout,
    requestTimeoutMs: fileRequestTimeout,
    ...options
  } = file;

  for (const key of NUMERIC_OPTIONS) {
    const name = `LOGS_SSE_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
    const value = variable(name);
    if (value === undefined) continue;
    const n = toNumber(value, name);
    checkNumberOption(key, n, name);
    options[key] = n;
  }
  const origins = variable('LOGS_SSE_CORS_ORIGINS');
  if (origins !== undefined) {
    options.corsOrigins = origins.split(',').map((o) => o.trim());
    checkCorsOrigins(options.corsOrigins, 'LOGS_SSE_CORS_ORIGINS');
  }
  const rateLimit = variable('LOGS_SSE_PUBLISH_RATE_LIMIT');
  if (rateLimit !== undefined) options.publishRateLimit = toRateLimit(rateLimit);
  options.auth = cliAuth(
    options.auth,
    configPath,
    flags.open ? '--open' : openVariable(variable('LOGS_SSE_OPEN')),
    variable,
  );
  // Each source was checked on its own; this catches what only their sum can get wrong, such as
  // LOGS_SSE_ADMIN_TOKEN equal to a publisher token of the file.
  checkOptions(options, {
    label:
      configPath === undefined
        ? 'the LOGS_SSE_* variables'
        : `the config file ${configPath} with the LOGS_SSE_* variables`,
    kind: 'gateway',
  });

  const port =
    flags.port !== undefined
      ? toPort(flags.port, '--port')
      : variable('LOGS_SSE_PORT') !== undefined
        ? toPort(variable('LOGS_SSE_PORT'), 'LOGS_SSE_PORT')
        : filePort !== undefined
          ? toPort(filePort, inFile('port'), true)
          : 3002;
  const host =
    flags.host !== undefined
      ? toText(flags.host, '--host')
      : (variable('LOGS_SSE_HOST') ??
        (fileHost === undefined ? '127.0.0.1' : toText(fileHost, inFile('host'))));
  const [redis, redisWhere] =
    flags.redis !== undefined
      ? [flags.redis, '--redis']
      : variable('LOGS_SSE_REDIS_URL') !== undefined
        ? [variable('LOGS_SSE_REDIS_URL'), 'LOGS_SSE_REDIS_URL']
        : [fileRedis, inFile('redis')];
  const redisUrl = redis === undefined ? undefined : toRedisUrl(redis, redisWhere);
  const prefix = variable('LOGS_SSE_REDIS_PREFIX');
  const redisPrefix =
    prefix ?? (filePrefix === undefined ? undefined : toText(filePrefix, inFile('redisPrefix')));
  const level = variable('LOGS_SSE_LOG_LEVEL');
  const logLevel =
    level !== undefined
      ? toLogLevel(level, 'LOGS_SSE_LOG_LEVEL')
      : fileLevel === undefined
        ? 'info'
        : toLogLevel(fileLevel, inFile('logLevel'));
  const timeouts: CliConfig['timeouts'] = {};
  for (const [key, name, fromFile] of [
    ['headersTimeoutMs', 'LOGS_SSE_HEADERS_TIMEOUT_MS', fileHeadersTimeout],
    ['requestTimeoutMs', 'LOGS_SSE_REQUEST_TIMEOUT_MS', fileRequestTimeout],
  ] as const) {
    const value = variable(name);
    const n = value !== undefined ? toNumber(value, name) : fromFile;
    if (n === undefined) continue;
    const where = value !== undefined ? name : inFile(key);
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 1 || n > 2_147_483_647) {
      throw invalid(
        `${where} must be a number of milliseconds from 1 to 2147483647; got ${JSON.stringify(n)}`,
      );
    }
    timeouts[key] = n;
  }
  return { options, port, host, timeouts, redisUrl, redisPrefix, logLevel, help: false };
}

/**
 * Auth from the file, `LOGS_SSE_ADMIN_TOKEN`/`LOGS_SSE_JWT_SECRET` and `--open`. A config file that
 * configures none of them is refused: a misspelt or forgotten "auth" must not mean "open".
 */
function cliAuth(
  fromFile: GatewayOptions['auth'],
  configPath: string | undefined,
  open: '--open' | 'LOGS_SSE_OPEN' | undefined,
  variable: (name: string) => string | undefined,
): GatewayOptions['auth'] {
  const adminToken = variable('LOGS_SSE_ADMIN_TOKEN');
  const secret = variable('LOGS_SSE_JWT_SECRET');
  const fromEnv = [adminToken && 'LOGS_SSE_ADMIN_TOKEN', secret && 'LOGS_SSE_JWT_SECRET'].filter(Boolean);
  const inFile = `"auth" in the config file ${configPath}`;
  if (open !== undefined || fromFile === 'open') {
    const asked = open ?? `"auth": "open" in the config file ${configPath}`;
    const also = [typeof fromFile === 'object' ? inFile : undefined, ...fromEnv].filter(Boolean);
    if (also.length > 0) {
      throw invalid(`${asked} runs without auth, but ${also.join(' and ')} configures auth: remove one`);
    }
    return 'open';
  }
  let auth: AuthOptions | undefined = fromFile;
  if (adminToken !== undefined) {
    checkToken(adminToken, 'LOGS_SSE_ADMIN_TOKEN');
    auth = { ...auth, adminToken };
  }
  if (secret !== undefined) {
    checkJwtSecret(
      secret,
      jwtAlgorithms({ secret, algorithms: auth?.jwt?.algorithms }),
      'LOGS_SSE_JWT_SECRET',
    );
    auth = { ...auth, jwt: { ...auth?.jwt, secret } };
  }
  if (auth === undefined && configPath !== undefined) {
    throw invalid(
      `the config file ${configPath} configures no "auth": add "auth" with publishers, subscribers, jwt or adminToken (or set LOGS_SSE_ADMIN_TOKEN or LOGS_SSE_JWT_SECRET), or write "auth": "open" or pass --open to run without auth on loopback only`,
    );
  }
  return auth;
}

function openVariable(value: string | undefined): 'LOGS_SSE_OPEN' | undefined {
  if (value === undefined || value === 'false' || value === '0') return undefined;
  if (value === 'true' || value === '1') return 'LOGS_SSE_OPEN';
  throw invalid(`LOGS_SSE_OPEN must be true or false; got "${value}"`);
}

function parseFlags(argv: readonly string[]): Flags {
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      flags.help = true;
      continue;
    }
    if (arg === '--open') {
      flags.open = true;
      continue;
    }
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    const name = match?.[1];
    if (name === 'open') throw invalid('--open takes no value');
    if (name === undefined || !VALUE_FLAGS.has(name)) {
      const near =
        arg.startsWith('--') && nearest(arg.slice(2).split('=')[0]!, [...VALUE_FLAGS, 'open', 'help']);
      throw invalid(`unknown argument ${arg}; ${near ? `did you mean --${near}? ` : ''}see --help`);
    }
    const value = match![2] ?? argv[++i];
    if (value === undefined) throw invalid(`--${name} needs a value`);
    flags[name as 'port' | 'host' | 'config' | 'redis'] = value;
  }
  return flags;
}

function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw invalid(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalid(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`config file ${path} must hold a JSON object`);
  }
  return value as ConfigFile;
}
