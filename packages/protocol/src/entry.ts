import { formatChannel, isValidChannel, isValidSegment } from './channel';
import type { Cursor } from './cursor';
import type { ErrorCode } from './errors';
import { type LogLevel, normalizeLevel } from './level';

/** Kinds of entries a publisher sends; each travels as the SSE event of the same name. */
export const ENTRY_TYPES = ['log', 'status', 'done'] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

/** Fields every stored entry carries, whatever its type. */
interface EntryBase {
  /** Cursor assigned by the gateway. */
  id: Cursor;
  /** Which event the entry travels as; also present in history answers, which mix the three. */
  type: EntryType;
  channel: string;
  /** ISO 8601 in UTC, as the publisher set it or as the gateway received it. */
  timestamp: string;
  /** Any other field the publisher sent, kept as sent. */
  [field: string]: unknown;
}

/** A log line: the `data` of an `event: log`. */
export interface LogEntry extends EntryBase {
  type: 'log';
  level: LogLevel;
  message: string;
}

/** Where a resource stands in its life: the `data` of an `event: status`. */
export interface StatusEntry extends EntryBase {
  type: 'status';
  /** Free-form phase name, such as `queued`, `provisioning`, `active` or `failed`. */
  phase: string;
  /** 0 to 100, when the publisher knows it. */
  progress?: number;
  message?: string;
}

/** A resource finished: the `data` of an `event: done`. */
export interface DoneEntry extends EntryBase {
  type: 'done';
}

/** An object type without one key, keeping the types of the others (unlike `Omit` on index signatures). */
type Without<T, K extends PropertyKey> = { [P in keyof T as P extends K ? never : P]: T[P] };

/** An entry as validated at the gateway's edge, before it gets its `id`. */
export type NormalizedEntry =
  | { type: 'log'; channel: string; body: Without<LogEntry, 'id' | 'type'> }
  | { type: 'status'; channel: string; body: Without<StatusEntry, 'id' | 'type'> }
  | { type: 'done'; channel: string; body: Without<DoneEntry, 'id' | 'type'> };

export type EntryValidation =
  | { ok: true; entry: NormalizedEntry }
  | { ok: false; code: ErrorCode; message: string };

export interface ValidateEntryOptions {
  /** Clock for entries that carry no timestamp. Defaults to `Date.now`. */
  now?: () => number;
  /** Service to form the channel from when the entry names none. */
  defaultService?: string;
}

/** Fields that the wire format owns; a publisher's own value for them is replaced or refused. */
const RESERVED = new Set(['id', 'type', 'channel', 'timestamp', 'level', 'message']);

/** Date, time (seconds and fraction optional) and offset, captured field by field to check each. */
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):?(\d{2}))$/;

/**
 * Timestamps the gateway keeps: 1970-01-01 to 9999-12-31 (UTC). Within this range every timestamp is
 * written as the 24-character `YYYY-MM-DDTHH:mm:ss.sssZ`, which the gateway reads back as it wrote it;
 * years past 9999 would need the six-digit `+YYYYYY` form that many readers do not parse.
 */
const MIN_TIMESTAMP_MS = 0;
// Pure, so that bundles that never check a timestamp (the browser client) leave it out.
const MAX_TIMESTAMP_MS = /* @__PURE__ */ Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Longest `message` the gateway stores, in UTF-16 code units. */
export const MAX_MESSAGE_LENGTH = 1_000_000;

/** Longest `phase` of a status entry, in UTF-16 code units; the shortest is 1. */
export const MAX_PHASE_LENGTH = 128;

/** `progress` of a status entry runs from 0 to this. */
export const MAX_PROGRESS = 100;

/** Deeper fields are refused: serialising them again would overflow the stack of every reader. */
export const MAX_FIELD_DEPTH = 32;

/**
 * Checks one untrusted publish entry and brings it to its normal form: a channel (from `channel`, or
 * from `service` + `workspace_id` + `resource_id`), a normalised `level`, an ISO `timestamp`, and every
 * other field as it was sent. Never throws.
 */
export function validateEntry(input: unknown, options: ValidateEntryOptions = {}): EntryValidation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return fail('invalid_entry', 'an entry must be a JSON object');
  }
  const raw = input as Record<string, unknown>;
  const type = raw.type === undefined ? 'log' : raw.type;
  if (type !== 'log' && type !== 'status' && type !== 'done') {
    return fail('invalid_entry', '"type" must be "log", "status" or "done"');
  }

  const channel = resolveChannel(raw, options.defaultService);
  if (typeof channel !== 'string') return channel;

  const timestamp = normalizeTimestamp(raw.timestamp ?? raw.time, options.now ?? Date.now);
  if (timestamp === undefined) {
    return fail(
      'invalid_entry',
      '"timestamp" must be a real date and time from 1970 to 9999, as ISO 8601 or milliseconds since the epoch',
    );
  }

  const body: Record<string, unknown> = { channel, timestamp };
  if (type === 'log') {
    const level = raw.level === undefined ? 'info' : normalizeLevel(raw.level);
    if (level === undefined) {
      return fail('invalid_entry', '"level" must be trace, debug, info, warn, error, fatal or a known alias');
    }
    if (typeof raw.message !== 'string') return fail('invalid_entry', '"message" must be a string');
    if (raw.message.length > MAX_MESSAGE_LENGTH) return fail('invalid_entry', '"message" is too long');
    body.level = level;
    body.message = raw.message;
  } else if (type === 'status') {
    if (typeof raw.phase !== 'string' || raw.phase.length === 0 || raw.phase.length > MAX_PHASE_LENGTH) {
      return fail('invalid_entry', `"phase" must be a string of 1 to ${MAX_PHASE_LENGTH} characters`);
    }
    const { progress } = raw;
    if (
      progress !== undefined &&
      !(typeof progress === 'number' && progress >= 0 && progress <= MAX_PROGRESS)
    ) {
      return fail('invalid_entry', `"progress" must be a number from 0 to ${MAX_PROGRESS}`);
    }
    if (raw.message !== undefined && typeof raw.message !== 'string') {
      return fail('invalid_entry', '"message" must be a string');
    }
    if (raw.message !== undefined) body.message = raw.message;
  }

  for (const key in raw) {
    if (!Object.hasOwn(raw, key) || RESERVED.has(key) || key === 'time' || key === '__proto__') continue;
    const value = raw[key];
    if (typeof value === 'object' && value !== null && !withinDepth(value, MAX_FIELD_DEPTH)) {
      return fail('invalid_entry', `"${key.slice(0, 64)}" is nested deeper than ${MAX_FIELD_DEPTH} levels`);
    }
    body[key] = value;
  }
  return { ok: true, entry: { type, channel, body } as NormalizedEntry };
}

function resolveChannel(raw: Record<string, unknown>, defaultService?: string): string | EntryValidation {
  if (raw.channel !== undefined) {
    if (!isValidChannel(raw.channel)) {
      return fail('invalid_channel', 'channel must look like logs:{service}:{workspace}:{resource}');
    }
    return raw.channel;
  }
  const service = raw.service ?? defaultService;
  const workspace = raw.workspace_id;
  const resource = raw.resource_id ?? raw.workflow_id;
  if (service === undefined || workspace === undefined || resource === undefined) {
    return fail('invalid_channel', 'send "channel", or "service", "workspace_id" and "resource_id"');
  }
  if (!isValidSegment(service) || !isValidSegment(workspace) || !isValidSegment(resource)) {
    return fail(
      'invalid_channel',
      'service, workspace_id and resource_id must each match [A-Za-z0-9_.-]{1,128}',
    );
  }
  return formatChannel({ service, workspace, resource })!;
}

/**
 * ISO 8601 (any offset) or epoch milliseconds, to an ISO string in UTC; `undefined` when invalid.
 * A date that does not exist (`2026-02-30`, hour 24, second 60) is refused, not rolled over, and so is a
 * time outside 1970-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z.
 */
export function normalizeTimestamp(value: unknown, now: () => number = Date.now): string | undefined {
  let ms: number | undefined;
  if (value === undefined) ms = now();
  else if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') ms = parseIsoTimestamp(value);
  if (ms === undefined || !Number.isFinite(ms) || ms < MIN_TIMESTAMP_MS || ms > MAX_TIMESTAMP_MS) {
    return undefined;
  }
  return new Date(ms).toISOString();
}

/** Epoch milliseconds of an ISO 8601 timestamp whose every field is in range; `undefined` otherwise. */
function parseIsoTimestamp(text: string): number | undefined {
  const match = ISO_8601.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s = '0', fraction = '', sign, oh = '0', om = '0'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const [hour, minute, second] = [Number(h), Number(mi), Number(s)];
  const [offsetHours, offsetMinutes] = [Number(oh), Number(om)];
  // Date.parse would roll 2026-02-30 over to March 2: each field is checked against its own range instead.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  // Digits past milliseconds are cut, as Date.parse cuts them.
  const millis = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const offset = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const utc = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0 to 99 as 1900 to 1999.
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, millis);
  return utc.getTime() - offset;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Whether `value` nests objects and arrays at most `limit` levels deep (default {@link MAX_FIELD_DEPTH});
 * iterative, so any parsed JSON is safe to check.
 */
export function withinDepth(value: unknown, limit: number = MAX_FIELD_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return false;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return true;
}

function fail(code: ErrorCode, message: string): EntryValidation {
  return { ok: false, code, message };
}
