import { isValidSegment } from '@logs-sse/protocol';
import { invalidOptions as invalid, showValue as show } from '../errors';
import { checkAuth } from './checkAuth';
import { checkKeys, isPlainObject } from './checkKeys';
import { CONFIG_FILE_SHAPE, ELSEWHERE, GATEWAY_SHAPE } from './optionShapes';

/** Where options come from, as messages name it. */
export interface OptionsSource {
  /** Such as `createGateway options` or `the config file /etc/gw.json`. */
  label: string;
  /** The config file takes no code (`logger`, `now`, `store`) but where to listen and what to log. */
  kind: 'gateway' | 'file';
}

export const CREATE_GATEWAY_SOURCE: OptionsSource = { label: 'createGateway options', kind: 'gateway' };

// Timers take at most 2^31 - 1 ms; Node turns a longer delay into 1 ms, a heartbeat flood.
const MAX_TIMER_MS = 2_147_483_647;

/** Ranges of the numeric options. */
export const NUMBER_RULES = {
  heartbeatSeconds: { min: 0.001, max: MAX_TIMER_MS / 1000 },
  historyPerChannel: { min: 1, integer: true },
  historyTtlSeconds: { min: 0.001 },
  maxHistoryBytes: { min: 1 },
  maxBufferedBytes: { min: 1 },
  // Past a second a live view would seem stuck; the gain stops growing long before.
  flushWindowMs: { min: 0, max: 1000, integer: true },
  maxBodyBytes: { min: 1 },
  maxEntriesPerPublish: { min: 1, integer: true },
  // Kept in Redis with PEXPIRE, whose milliseconds must stay a whole number.
  idempotencyWindowSeconds: { min: 0.001, max: MAX_TIMER_MS / 1000 },
  idempotencyMaxKeys: { min: 1, integer: true },
  idempotencyMaxBytes: { min: 1 },
  maxChannels: { min: 1, integer: true },
  retryMs: { min: 0 },
  shutdownRetryMs: { min: 0 },
  closeTimeoutMs: { min: 0, max: MAX_TIMER_MS },
  stalledReaderTimeoutMs: { min: 1, max: MAX_TIMER_MS },
  maxOtlpAttributes: { min: 1, integer: true },
} as const satisfies Record<string, { min: number; max?: number; integer?: boolean }>;

export type NumericOption = keyof typeof NUMBER_RULES;

/**
 * The one check of gateway options, for `createGateway` and the config file alike: unknown keys at any
 * depth, types, ranges and weak credentials. Throws a `GatewayError` (`invalid_options`) whose one-line
 * message names the option, where it was found and what to do.
 */
export function checkOptions(options: unknown, source: OptionsSource): void {
  if (!isPlainObject(options)) throw invalid(`${source.label} must be an object; got ${show(options)}`);
  const file = source.kind === 'file';
  checkKeys(options, file ? CONFIG_FILE_SHAPE : GATEWAY_SHAPE, source.label, ELSEWHERE[source.kind]);
  const at = (path: string) => `${path} in ${source.label}`;
  for (const key of Object.keys(NUMBER_RULES) as NumericOption[]) {
    if (options[key] !== undefined) checkNumberOption(key, options[key], at(key));
  }
  if (options.corsOrigins !== undefined) checkCorsOrigins(options.corsOrigins, at('corsOrigins'));
  if (options.publishRateLimit !== undefined) checkRateLimit(options.publishRateLimit, at);
  if (options.otlp !== undefined) checkOtlp(options.otlp, at);
  checkAuth(options.auth, source.label);
  if (file) return;
  const { logger, now, store } = options;
  if (logger !== undefined && logger !== false && !hasMethods(logger, ['debug', 'info', 'warn', 'error'])) {
    throw invalid(`${at('logger')} must be false or a pino-like logger with debug, info, warn and error`);
  }
  if (now !== undefined && typeof now !== 'function') {
    throw invalid(`${at('now')} must be a function returning epoch milliseconds, such as Date.now`);
  }
  if (store !== undefined && !hasMethods(store, ['append', 'read', 'subscribe', 'stats', 'close'])) {
    throw invalid(`${at('store')} must be a LogStore, such as a MemoryStore or a RedisStore`);
  }
}

/** One numeric option, named by `where` (`retryMs in ...`, or the environment variable that set it). */
export function checkNumberOption(key: NumericOption, value: unknown, where: string): void {
  const rule: { min: number; max?: number; integer?: boolean } = NUMBER_RULES[key];
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= rule.min &&
    (rule.max === undefined || value <= rule.max) &&
    (!rule.integer || Number.isInteger(value));
  if (!ok) {
    const kind = rule.integer ? 'a whole number' : 'a number';
    const range = rule.max === undefined ? `>= ${rule.min}` : `from ${rule.min} to ${rule.max}`;
    throw invalid(`${where} must be ${kind} ${range}; got ${show(value)}`);
  }
}

/**
 * `*` or origins as browsers send them: `https://app.example.com`, no path, no trailing slash. Anything
 * else would never equal an `Origin` header, and the browser would be refused without a word why.
 */
export function checkCorsOrigins(value: unknown, where: string): void {
  if (!Array.isArray(value)) {
    throw invalid(
      `${where} must be an array of origins such as "https://app.example.com"; got ${show(value)}`,
    );
  }
  for (const origin of value) {
    if (origin === '*') continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(String(origin));
    } catch {}
    if (typeof origin !== 'string' || parsed?.origin !== origin) {
      const fix = parsed && parsed.origin !== 'null' ? `; did you mean "${parsed.origin}"?` : '';
      throw invalid(
        `${where} must hold "*" or origins such as "https://app.example.com" (scheme, host and port only); got ${show(origin)}${fix}`,
      );
    }
  }
}

function checkRateLimit(limit: unknown, at: (path: string) => string): void {
  if (!isPlainObject(limit)) {
    throw invalid(
      `${at('publishRateLimit')} must be an object such as { entriesPerSecond: 5000, burst: 20000 }; got ${show(limit)}`,
    );
  }
  const { entriesPerSecond, burst } = limit;
  for (const [name, value] of [
    ['entriesPerSecond', entriesPerSecond],
    ['burst', burst],
  ] as const) {
    if (name === 'burst' && value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw invalid(`${at(`publishRateLimit.${name}`)} must be a number above 0; got ${show(value)}`);
    }
  }
}

/** Longest attribute name `otlp` may look up; OTLP puts no limit on names, the gateway's options do. */
const MAX_ATTRIBUTE_NAME = 256;

function checkOtlp(otlp: unknown, at: (path: string) => string): void {
  if (!isPlainObject(otlp)) {
    throw invalid(
      `${at('otlp')} must be an object such as { workspaceAttribute: "tenant.id" }; got ${show(otlp)}`,
    );
  }
  const isName = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= MAX_ATTRIBUTE_NAME;
  for (const key of ['workspaceAttribute', 'resourceAttribute'] as const) {
    if (otlp[key] !== undefined && !isName(otlp[key])) {
      throw invalid(
        `${at(`otlp.${key}`)} must be an attribute name of 1 to ${MAX_ATTRIBUTE_NAME} characters; got ${show(otlp[key])}`,
      );
    }
  }
  for (const key of ['defaultWorkspace', 'defaultResource'] as const) {
    if (otlp[key] !== undefined && !isValidSegment(otlp[key])) {
      throw invalid(
        `${at(`otlp.${key}`)} must be a channel segment ([A-Za-z0-9_.-], 1 to 128 characters); got ${show(otlp[key])}`,
      );
    }
  }
  const copied = otlp.resourceAttributes;
  if (copied !== undefined && !(Array.isArray(copied) && copied.every(isName))) {
    throw invalid(
      `${at('otlp.resourceAttributes')} must be an array of attribute names such as ["host.name"]; got ${show(copied)}`,
    );
  }
}

function hasMethods(value: unknown, names: readonly string[]): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function')
  );
}
