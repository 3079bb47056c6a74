import type { IncomingHttpHeaders } from 'node:http';
import {
  type Cursor,
  type ErrorCode,
  HISTORY_SEPARATOR,
  isCursor,
  isValidChannelPattern,
  levelRank,
  normalizeLevel,
  normalizeTimestamp,
} from '@logs-sse/protocol';
import { ChannelPattern } from './patterns';

/** What a stream or history request asks for, checked. */
export interface ReadQuery {
  patterns: ChannelPattern[];
  minLevel: number;
  /** Lower-cased `q`, `''` when absent. */
  query: string;
  tail: number | undefined;
  /** Entries after this cursor (from `since`, `Last-Event-ID` or `lastEventId`), or `null`. */
  after: Cursor | null;
  /** Whether `after` came from a resume: then `tail` and `since` are ignored. */
  resume: boolean;
  /** Whether `after` is a cursor the client saw (not a time), so evicted entries are reported as gaps. */
  reportGaps: boolean;
  follow: boolean;
  /** The stream's `history` items, in request order; always empty for `/history`. */
  history: HistoryRequest[];
}

/** One `history` item of a stream: a channel or pattern of the stream, and which of its kept entries to send. */
export interface HistoryRequest {
  /** The channel or pattern exactly as written in `channels`. */
  key: string;
  pattern: ChannelPattern;
  /** The newest N entries of each matching channel (at most `historyPerChannel`), for a count item. */
  tail?: number;
  /** Entries after this cursor, for a cursor item; `null` for a count item. */
  after: Cursor | null;
}

export type QueryResult = { ok: true; query: ReadQuery } | { ok: false; code: ErrorCode; message: string };

export interface QueryLimits {
  maxChannels: number;
  historyPerChannel: number;
}

const MAX_Q_LENGTH = 256;
/** A count: any size a client may send (exact as a double), clamped to what the gateway keeps. */
const WHOLE_NUMBER = /^\d{1,15}$/;
/** Cursors of a timestamp `T` are `T-0`, `T-1`...: "after `(T-1)-MAX`" is "at or after T". */
const MAX_SEQ = '999999999999999';

/** Parses `/stream` (`channels=`) or `/history` (`channel=`) parameters. */
export function parseReadQuery(
  url: URL,
  headers: IncomingHttpHeaders,
  limits: QueryLimits,
  channelParam: 'channels' | 'channel',
): QueryResult {
  const params = url.searchParams;
  const rawChannels = params.getAll(channelParam).join(',');
  const sources = [
    ...new Set(
      rawChannels
        .split(',')
        .map((c) => c.trim())
        .filter((c) => c !== ''),
    ),
  ];
  if (sources.length === 0) return fail('invalid_channel', `"${channelParam}" is required`);
  if (sources.length > limits.maxChannels) {
    return fail(
      'too_many_channels',
      `at most ${limits.maxChannels} channels per request, got ${sources.length}`,
    );
  }
  const bad = sources.find((c) => !isValidChannelPattern(c)) as string | undefined;
  if (bad !== undefined) {
    return fail(
      'invalid_channel',
      `${quote(bad)} is not logs:{service}:{workspace}:{resource} (a segment may be *)`,
    );
  }

  const patterns = sources.map((s) => new ChannelPattern(s));

  let minLevel = -1;
  const level = params.get('level');
  if (level !== null && level !== '') {
    const normalized = normalizeLevel(level);
    if (!normalized) return fail('invalid_query', '"level" must be trace, debug, info, warn, error or fatal');
    minLevel = levelRank(normalized);
  }

  const q = params.get('q') ?? '';
  if (q.length > MAX_Q_LENGTH) return fail('invalid_query', `"q" is longer than ${MAX_Q_LENGTH} characters`);

  let tail: number | undefined;
  const rawTail = params.get('tail');
  if (rawTail !== null && rawTail !== '') {
    if (!WHOLE_NUMBER.test(rawTail)) return fail('invalid_query', '"tail" must be a whole number');
    tail = Math.min(Number(rawTail), limits.historyPerChannel);
  }

  const rawFollow = params.get('follow');
  if (rawFollow !== null && !['true', 'false', '1', '0', ''].includes(rawFollow)) {
    return fail('invalid_query', '"follow" must be true or false');
  }
  const follow = rawFollow !== 'false' && rawFollow !== '0';

  const since = params.get('since');
  let history: HistoryRequest[] = [];
  if (channelParam === 'channels') {
    const parsed = parseHistory(params.getAll('history').join(','), patterns, limits);
    if (typeof parsed === 'string') return fail('invalid_query', parsed);
    history = parsed;
    if (history.length > 0 && (tail !== undefined || (since !== null && since !== ''))) {
      // Both would send the same kept entries, once in a history event and once as entries.
      return fail(
        'invalid_query',
        '"history" sends the kept entries itself: use history or tail/since, not both',
      );
    }
  }

  const lastEventId = headerValue(headers['last-event-id']) ?? params.get('lastEventId') ?? '';
  if (lastEventId !== '') {
    if (!isCursor(lastEventId))
      return fail('invalid_query', 'Last-Event-ID must be a cursor the gateway sent');
    return ok({
      patterns,
      minLevel,
      query: q.toLowerCase(),
      tail: undefined,
      after: lastEventId,
      resume: true,
      reportGaps: true,
      follow,
      history,
    });
  }

  let after: Cursor | null = null;
  let reportGaps = false;
  if (since !== null && since !== '') {
    const parsed = parseSince(since);
    if (parsed === undefined) {
      return fail(
        'invalid_query',
        '"since" must be a cursor, an ISO 8601 time or milliseconds since the epoch',
      );
    }
    after = parsed;
    reportGaps = isCursor(since);
  }
  return ok({
    patterns,
    minLevel,
    query: q.toLowerCase(),
    tail,
    after,
    resume: false,
    reportGaps,
    follow,
    history,
  });
}

/**
 * Parses `history=<key>~<count or cursor>,...` against the stream's own patterns. Every key must be one
 * of them, once, so there are never more items than channels. Returns the problem as a message.
 */
function parseHistory(
  raw: string,
  patterns: readonly ChannelPattern[],
  limits: QueryLimits,
): HistoryRequest[] | string {
  const requests: HistoryRequest[] = [];
  for (const rawItem of raw.split(',')) {
    const item = rawItem.trim();
    if (item === '') continue;
    // Channels never hold the separator, so the last one ends the key.
    const at = item.lastIndexOf(HISTORY_SEPARATOR);
    if (at <= 0) {
      return `"history" items are <channel>${HISTORY_SEPARATOR}<count> or <channel>${HISTORY_SEPARATOR}<cursor>, got ${quote(item)}`;
    }
    const key = item.slice(0, at);
    const value = item.slice(at + 1);
    const pattern = patterns.find((p) => p.source === key);
    if (!pattern) return `"history" names ${quote(key)}, which is not one of "channels"`;
    if (requests.some((r) => r.key === key)) return `"history" names ${quote(key)} twice`;
    if (WHOLE_NUMBER.test(value)) {
      requests.push({ key, pattern, tail: Math.min(Number(value), limits.historyPerChannel), after: null });
    } else if (isCursor(value)) {
      requests.push({ key, pattern, after: value });
    } else {
      return `"history" of ${quote(key)} must be a count of entries or a cursor the gateway sent, got ${quote(value)}`;
    }
  }
  return requests;
}

/** A value from the request, quoted and shortened for an error message. */
function quote(value: string): string {
  return JSON.stringify(value.slice(0, 200));
}

/** A cursor stays a cursor; a time becomes "after the last cursor before it". */
function parseSince(since: string): Cursor | null | undefined {
  if (isCursor(since)) return since;
  const iso = normalizeTimestamp(/^\d{1,15}$/.test(since) ? Number(since) : since);
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return ms <= 0 ? null : `${ms - 1}-${MAX_SEQ}`;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function ok(query: ReadQuery): QueryResult {
  return { ok: true, query };
}

function fail(code: ErrorCode, message: string): QueryResult {
  return { ok: false, code, message };
}
