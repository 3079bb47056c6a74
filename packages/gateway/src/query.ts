import type { IncomingHttpHeaders } from 'node:http';
import {
  type Cursor,
  type ErrorCode,
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
}

export type QueryResult = { ok: true; query: ReadQuery } | { ok: false; code: ErrorCode; message: string };

export interface QueryLimits {
  maxChannels: number;
  historyPerChannel: number;
}

const MAX_Q_LENGTH = 256;
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
      `${JSON.stringify(bad.slice(0, 200))} is not logs:{service}:{workspace}:{resource} (a segment may be *)`,
    );
  }

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
    if (!/^\d{1,9}$/.test(rawTail)) return fail('invalid_query', '"tail" must be a whole number');
    tail = Math.min(Number(rawTail), limits.historyPerChannel);
  }

  const rawFollow = params.get('follow');
  if (rawFollow !== null && !['true', 'false', '1', '0', ''].includes(rawFollow)) {
    return fail('invalid_query', '"follow" must be true or false');
  }
  const follow = rawFollow !== 'false' && rawFollow !== '0';

  const lastEventId = headerValue(headers['last-event-id']) ?? params.get('lastEventId') ?? '';
  if (lastEventId !== '') {
    if (!isCursor(lastEventId))
      return fail('invalid_query', 'Last-Event-ID must be a cursor the gateway sent');
    return ok({
      patterns: sources.map((s) => new ChannelPattern(s)),
      minLevel,
      query: q.toLowerCase(),
      tail: undefined,
      after: lastEventId,
      resume: true,
      reportGaps: true,
      follow,
    });
  }

  let after: Cursor | null = null;
  let reportGaps = false;
  const since = params.get('since');
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
    patterns: sources.map((s) => new ChannelPattern(s)),
    minLevel,
    query: q.toLowerCase(),
    tail,
    after,
    resume: false,
    reportGaps,
    follow,
  });
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
