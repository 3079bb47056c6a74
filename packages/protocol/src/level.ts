/** The six levels every entry is normalised to, lowest first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];

const ALIASES: Record<string, LogLevel> = {
  trace: 'trace',
  verbose: 'trace',
  silly: 'trace',
  debug: 'debug',
  dbg: 'debug',
  info: 'info',
  information: 'info',
  informational: 'info',
  notice: 'info',
  log: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  fatal: 'fatal',
  critical: 'fatal',
  crit: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
  panic: 'fatal',
};

/**
 * Maps a level as services send it onto one of {@link LOG_LEVELS}: names in any case and common aliases
 * (`WARNING`, `err`, `critical`), and pino's numeric levels (10 trace ... 60 fatal, also as strings).
 * Returns `undefined` when the input names no level.
 *
 * @example normalizeLevel('WARNING') // 'warn'
 * @example normalizeLevel(50)        // 'error'
 */
export function normalizeLevel(input: unknown): LogLevel | undefined {
  if (typeof input === 'string') {
    const name = input.toLowerCase();
    if (Object.hasOwn(ALIASES, name)) return ALIASES[name];
    return /^\d{2,3}$/.test(input) ? levelFromNumber(Number(input)) : undefined;
  }
  if (typeof input === 'number' && Number.isInteger(input)) return levelFromNumber(input);
  return undefined;
}

function levelFromNumber(n: number): LogLevel | undefined {
  // pino's scale: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal; values between round down.
  if (n < 10 || n > 100) return undefined;
  return LOG_LEVELS[Math.min(5, Math.floor(n / 10) - 1)];
}

/** Position of a level in {@link LOG_LEVELS}: `trace` is 0, `fatal` is 5. */
export function levelRank(level: LogLevel): number {
  return RANKS[level];
}

const RANKS: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, fatal: 5 };

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(RANKS, value);
}
