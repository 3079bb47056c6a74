import { invalidOptions as invalid, showValue as show } from '../errors';
import { nearest } from '../options/nearest';
import type { PublishRateLimitOptions } from '../options/options';

/** pino's levels; `silent` turns the gateway's own logs off. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A number from an environment variable `name`. */
export function toNumber(value: string, name: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw invalid(`${name} must be a number; got "${value}"`);
  return n;
}

/** A port from a flag or variable (text), or from the config file (`numberOnly`: JSON has numbers). */
export function toPort(value: unknown, where: string, numberOnly = false): number {
  const n = numberOnly && typeof value !== 'number' ? Number.NaN : Number(value);
  if (value === '' || !Number.isInteger(n) || n < 0 || n > 65_535) {
    throw invalid(`${where} must be a whole number from 0 to 65535; got ${show(value)}`);
  }
  return n;
}

/** A non-empty string, such as a host or a key prefix. */
export function toText(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(`${where} must be a non-empty string; got ${show(value)}`);
  }
  return value;
}

export function toLogLevel(value: unknown, where: string): LogLevel {
  if (typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value))
    return value as LogLevel;
  const near = typeof value === 'string' ? nearest(value, LOG_LEVELS) : undefined;
  throw invalid(
    `${where} must be one of ${LOG_LEVELS.join(', ')}; got ${show(value)}${near ? `; did you mean "${near}"?` : ''}`,
  );
}

/** `<entriesPerSecond>` or `<entriesPerSecond>:<burst>`, both numbers above 0. */
export function toRateLimit(value: string): PublishRateLimitOptions {
  const parts = value.split(':');
  const numbers = parts.map((part) => (part.trim() === '' ? Number.NaN : Number(part)));
  if (parts.length > 2 || numbers.some((n) => !Number.isFinite(n) || n <= 0)) {
    throw invalid(
      `LOGS_SSE_PUBLISH_RATE_LIMIT must be <entriesPerSecond> or <entriesPerSecond>:<burst>, numbers above 0 such as 5000 or 5000:20000; got "${value}"`,
    );
  }
  const [entriesPerSecond, burst] = numbers as [number, number | undefined];
  return burst === undefined ? { entriesPerSecond } : { entriesPerSecond, burst };
}

export function toRedisUrl(value: unknown, where: string): string {
  let url: URL | undefined;
  try {
    url = new URL(String(value));
  } catch {}
  if (typeof value !== 'string' || (url?.protocol !== 'redis:' && url?.protocol !== 'rediss:')) {
    throw invalid(`${where} must be a URL starting with redis:// or rediss://; got ${show(value)}`);
  }
  return value;
}
