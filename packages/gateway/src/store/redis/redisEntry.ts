import {
  type Cursor,
  type EntryType,
  encodeSseEvent,
  isLogLevel,
  type LogLevel,
  levelRank,
  type NormalizedEntry,
} from '@logs-sse/protocol';
import type { StoredEntry } from '../store';

const INFO_RANK = levelRank('info');

/**
 * Builds the same StoredEntry `toStoredEntry` builds, from what Redis holds: the type and the body JSON
 * the publishing gateway serialised. The body is spliced in as it came, never re-serialised; it is parsed
 * once per gateway only for the level and the message that filters need.
 */
export function entryFromRedis(
  id: Cursor,
  channel: string,
  type: EntryType,
  body: string,
  storedAt: number,
): StoredEntry {
  const parsed = JSON.parse(body) as { level?: LogLevel; message?: unknown };
  return build(id, channel, type, body, parsed.level, parsed.message, storedAt);
}

/** The StoredEntry of an entry this gateway just appended, from the body JSON it sent to Redis. */
export function entryFromBody(
  entry: NormalizedEntry,
  body: string,
  id: Cursor,
  storedAt: number,
): StoredEntry {
  const { level, message } = entry.body as { level?: LogLevel; message?: unknown };
  return build(id, entry.channel, entry.type, body, level, message, storedAt);
}

function build(
  id: Cursor,
  channel: string,
  type: EntryType,
  body: string,
  level: LogLevel | undefined,
  message: unknown,
  storedAt: number,
): StoredEntry {
  // Same shape as `toStoredEntry`: id and type first, then the body as the publisher's gateway wrote it.
  const json = `{"id":"${id}","type":"${type}",${body.slice(1)}`;
  return {
    id,
    type,
    channel,
    json,
    frame: Buffer.from(encodeSseEvent(type, json, id)),
    levelRank: type !== 'log' ? -1 : isLogLevel(level) ? levelRank(level) : INFO_RANK,
    message: typeof message === 'string' ? message : '',
    storedAt,
  };
}

/** A channel's newest `status` or `done` entry as the append script keeps it: `<id> <body JSON>`. */
export function entryFromState(
  value: string,
  channel: string,
  type: 'status' | 'done',
  storedAt: number,
): StoredEntry | undefined {
  const space = value.indexOf(' ');
  if (space <= 0) return undefined;
  try {
    return entryFromRedis(value.slice(0, space), channel, type, value.slice(space + 1), storedAt);
  } catch {
    return undefined;
  }
}

/** A stream entry as ioredis returns it: `[id, [field, value, field, value, ...]]`. */
export type RawStreamEntry = [id: string, fields: string[]];

/** Reads `t`, `b` (and `c` when the channel is not known from the key) out of a stream entry. */
export function entryFromFields(raw: RawStreamEntry, channel: string | undefined, storedAt: number) {
  const [id, fields] = raw;
  let type: string | undefined;
  let body: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const field = fields[i];
    if (field === 't') type = fields[i + 1];
    else if (field === 'b') body = fields[i + 1];
    else if (field === 'c') channel ??= fields[i + 1];
  }
  if (
    channel === undefined ||
    body === undefined ||
    (type !== 'log' && type !== 'status' && type !== 'done')
  ) {
    return undefined;
  }
  try {
    return entryFromRedis(id, channel, type, body, storedAt);
  } catch {
    // A hand-written or foreign entry under our prefix: skipped rather than breaking every reader.
    return undefined;
  }
}

/** The fields of `XINFO STREAM` that gap counting needs. */
export interface StreamInfo {
  length: number;
  /** Entries ever added to this stream (Redis 7+). */
  entriesAdded: number;
  /** Id of the oldest entry still in the stream, `0-0` when empty (Redis 7+). */
  firstId: Cursor;
}

/** Parses the flat `[name, value, ...]` answer of `XINFO STREAM`. */
export function parseStreamInfo(reply: unknown): StreamInfo {
  const info: StreamInfo = { length: 0, entriesAdded: 0, firstId: '0-0' };
  if (!Array.isArray(reply)) return info;
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const name = reply[i];
    const value = reply[i + 1];
    if (name === 'length') info.length = Number(value);
    else if (name === 'entries-added') info.entriesAdded = Number(value);
    else if (name === 'recorded-first-entry-id' && typeof value === 'string') info.firstId = value;
  }
  return info;
}
