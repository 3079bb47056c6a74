import { readFileSync } from 'node:fs';
import { GatewayError } from './errors';
import { type GatewayOptions, NUMERIC_OPTIONS, type PublishRateLimitOptions } from './options';

/** Everything the command line decides: gateway options, where to listen, and what to do. */
export interface CliConfig {
  options: GatewayOptions;
  port: number;
  host: string;
  redisUrl: string | undefined;
  /** Namespace of the Redis keys, so that several deployments can share one Redis. */
  redisPrefix: string | undefined;
  logLevel: string;
  help: boolean;
}

export const HELP_TEXT = `Usage: logs-sse-gateway [options]

Starts the logs-sse gateway and prints its URL (http://HOST:PORT) on a line of its own.

Options:
  --port <n>        Port to listen on; 0 picks a free one.   [env LOGS_SSE_PORT, default 3002]
  --host <addr>     Address to bind.                          [env LOGS_SSE_HOST, default 127.0.0.1]
  --config <file>   JSON file with gateway options and auth.  [env LOGS_SSE_CONFIG]
  --redis <url>     Share history and live entries with other gateways through Redis.
                    [env LOGS_SSE_REDIS_URL; key prefix: LOGS_SSE_REDIS_PREFIX, default logs-sse]
  -h, --help        Show this help.

Without "auth" in the config file the gateway runs open and only on a loopback address.
More environment variables: LOGS_SSE_HEARTBEAT_SECONDS, LOGS_SSE_HISTORY_PER_CHANNEL,
LOGS_SSE_HISTORY_TTL_SECONDS, LOGS_SSE_MAX_HISTORY_BYTES, LOGS_SSE_MAX_BUFFERED_BYTES,
LOGS_SSE_MAX_BODY_BYTES, LOGS_SSE_MAX_CHANNELS, LOGS_SSE_RETRY_MS, LOGS_SSE_SHUTDOWN_RETRY_MS,
LOGS_SSE_CLOSE_TIMEOUT_MS, LOGS_SSE_CORS_ORIGINS (comma separated), LOGS_SSE_LOG_LEVEL (pino level, default info),
LOGS_SSE_ADMIN_TOKEN and LOGS_SSE_JWT_SECRET (set auth.adminToken and auth.jwt.secret),
LOGS_SSE_PUBLISH_RATE_LIMIT (<entriesPerSecond> or <entriesPerSecond>:<burst>, such as 5000:20000: each
service may publish that many entries per second through this gateway, then gets 429; default no limit).
`;

const FLAGS = new Set(['port', 'host', 'config', 'redis']);

/** Reads flags, then environment variables, then the config file; the first that sets a value wins. */
export function loadCliConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliConfig {
  const flags = parseFlags(argv);
  if (flags.help)
    return {
      options: {},
      port: 3002,
      host: '127.0.0.1',
      redisUrl: undefined,
      redisPrefix: undefined,
      logLevel: 'info',
      help: true,
    };

  const configPath = flags.config ?? env.LOGS_SSE_CONFIG;
  const file = configPath ? readConfigFile(configPath) : {};
  const options: GatewayOptions = { ...file };
  delete (options as Record<string, unknown>).port;
  delete (options as Record<string, unknown>).host;
  delete (options as Record<string, unknown>).redis;
  delete (options as Record<string, unknown>).redisPrefix;
  delete (options as Record<string, unknown>).logLevel;
  delete (options as Record<string, unknown>).logger;

  for (const key of NUMERIC_OPTIONS) {
    const name = `LOGS_SSE_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
    const value = env[name];
    if (value !== undefined && value !== '') options[key] = toNumber(value, name);
  }
  // Secrets are often handed over as environment variables rather than written into a file.
  if (env.LOGS_SSE_ADMIN_TOKEN) options.auth = { ...options.auth, adminToken: env.LOGS_SSE_ADMIN_TOKEN };
  if (env.LOGS_SSE_JWT_SECRET)
    options.auth = { ...options.auth, jwt: { ...options.auth?.jwt, secret: env.LOGS_SSE_JWT_SECRET } };
  if (env.LOGS_SSE_CORS_ORIGINS)
    options.corsOrigins = env.LOGS_SSE_CORS_ORIGINS.split(',').map((o) => o.trim());
  if (env.LOGS_SSE_PUBLISH_RATE_LIMIT)
    options.publishRateLimit = toRateLimit(env.LOGS_SSE_PUBLISH_RATE_LIMIT);

  const port = toPort(flags.port ?? env.LOGS_SSE_PORT ?? file.port ?? 3002);
  const host = String(flags.host ?? env.LOGS_SSE_HOST ?? file.host ?? '127.0.0.1');
  const redis = flags.redis ?? env.LOGS_SSE_REDIS_URL ?? file.redis;
  const redisUrl = redis === undefined || redis === '' ? undefined : toRedisUrl(String(redis));
  const prefix = env.LOGS_SSE_REDIS_PREFIX || file.redisPrefix;
  const redisPrefix = prefix === undefined ? undefined : String(prefix);
  const logLevel = String(env.LOGS_SSE_LOG_LEVEL ?? file.logLevel ?? 'info');
  return { options, port, host, redisUrl, redisPrefix, logLevel, help: false };
}

function parseFlags(argv: readonly string[]): Record<string, string> & { help?: boolean } {
  const flags: Record<string, string> & { help?: boolean } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      flags.help = true;
      continue;
    }
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (!match || !FLAGS.has(match[1]!)) {
      throw new GatewayError('invalid_options', `unknown argument ${arg}; see --help`);
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new GatewayError('invalid_options', `--${match[1]} needs a value`);
    flags[match[1]!] = value;
  }
  return flags;
}

type ConfigFile = GatewayOptions & {
  port?: number;
  host?: string;
  redis?: string;
  redisPrefix?: string;
  logLevel?: string;
};

function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new GatewayError('invalid_options', `cannot read config file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GatewayError(
      'invalid_options',
      `config file ${path} is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GatewayError('invalid_options', `config file ${path} must hold a JSON object`);
  }
  return value as ConfigFile;
}

function toNumber(value: string, name: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new GatewayError('invalid_options', `${name} must be a number, got "${value}"`);
  return n;
}

/** `<entriesPerSecond>` or `<entriesPerSecond>:<burst>`, both numbers above 0. */
function toRateLimit(value: string): PublishRateLimitOptions {
  const parts = value.split(':');
  const numbers = parts.map((part) => (part.trim() === '' ? Number.NaN : Number(part)));
  if (parts.length > 2 || numbers.some((n) => !Number.isFinite(n) || n <= 0)) {
    throw new GatewayError(
      'invalid_options',
      `LOGS_SSE_PUBLISH_RATE_LIMIT must be <entriesPerSecond> or <entriesPerSecond>:<burst>, numbers above 0 such as 5000 or 5000:20000; got "${value}"`,
    );
  }
  const [entriesPerSecond, burst] = numbers as [number, number | undefined];
  return burst === undefined ? { entriesPerSecond } : { entriesPerSecond, burst };
}

function toPort(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) {
    throw new GatewayError(
      'invalid_options',
      `port must be a whole number from 0 to 65535, got "${String(value)}"`,
    );
  }
  return n;
}

function toRedisUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new GatewayError(
      'invalid_options',
      `--redis must be a URL such as redis://localhost:6379, got "${value}"`,
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new GatewayError(
      'invalid_options',
      `--redis must start with redis:// or rediss://, got "${value}"`,
    );
  }
  return value;
}
