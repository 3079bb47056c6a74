import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ERROR_STATUS,
  type ErrorCode,
  errorBody,
  MAX_FIELD_DEPTH,
  MAX_REJECTED_LISTED,
  type NormalizedEntry,
  parseChannel,
  type RejectedEntry,
  validateEntry,
} from '@logs-sse/protocol';
import { canPublish, type Grant } from '../auth/auth';
import { authorize, deny } from '../auth/authorize';
import type { GatewayContext } from '../context';
import { sendError, sendShuttingDown, sendStoreUnavailable } from '../http/answers';
import { closeAfterAnswer, readBody, refuseBody } from '../http/body';
import { jsonDepthExceeds } from '../http/jsonDepth';
import { answeredBefore, idempotencyKeyOf, type Keyed, keyed, releaseKey } from '../idempotency/keyedPublish';
import { type PublishAnswer, type PublishAnswers, storeEntries } from '../publish/storeEntries';

const NDJSON_TYPES = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
]);

/** `POST /api/logs/publish`: one entry, `{logs: [...]}`, a JSON array, or NDJSON; gzip allowed. */
export async function publishRoute(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse, url: URL) {
  ctx.metrics.publishRequests++;
  // A mounted gateway still gets requests after close(): entries stored now would reach no stream.
  if (ctx.state.closing) {
    sendShuttingDown(res);
    return;
  }
  const grant = await authorize(ctx, req, res, url);
  if (!grant) return;
  // A token that may publish nowhere learns so before it sends a byte of its body.
  if (grant.services !== '*' && grant.services.size === 0) {
    closeAfterAnswer(res);
    deny(ctx, res, 'forbidden', 'this token may not publish: it has no services');
    return;
  }
  const media = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const ndjson = NDJSON_TYPES.has(media);
  if (!ndjson && media !== '' && media !== 'application/json' && !media.endsWith('+json')) {
    sendError(res, 'unsupported_media_type', 'send application/json or application/x-ndjson');
    return;
  }
  const key = idempotencyKeyOf(req, res);
  if (key === false) return;
  if (!ctx.store.isReady()) {
    sendStoreUnavailable(res);
    return;
  }
  const body = await readBody(req, ctx.options.maxBodyBytes);
  if (!body.ok) {
    refuseBody(res, body.code, body.message);
    return;
  }
  const once = key === undefined ? undefined : keyed(grant.identity, key, body.body, ndjson);
  if (once && (await answeredBefore(ctx, res, once))) return;
  try {
    await publishBody(ctx, req, res, grant, body.body, ndjson, once);
  } finally {
    // Whatever did not record an answer (a refusal, a failed store) lets a repeat be handled anew.
    releaseKey(ctx, once);
  }
}

async function publishBody(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  grant: Grant,
  body: Buffer,
  ndjson: boolean,
  once: Keyed | undefined,
) {
  const items = parseItems(body.toString('utf8'), ndjson, ctx.options.maxEntriesPerPublish);
  if ('code' in items) {
    sendError(res, items.code, items.message);
    return;
  }

  const { valid, rejected, rejectedCount, codes, perService } = validateAll(ctx, items, grant);
  ctx.metrics.logsRejected += rejectedCount;
  if (valid.length === 0) {
    // One shared reason becomes the answer's code (403 when all were forbidden); mixed reasons are a 400.
    const code = codes.size === 1 ? rejected[0]!.error.code : 'invalid_entry';
    const first = rejected[0]?.error.message ?? 'the body holds no entries';
    sendError(res, code, `no entry was accepted: ${first}`, { rejected, rejectedCount });
    return;
  }
  await storeEntries(
    ctx,
    req,
    res,
    { grant, body, valid, result: { rejected, rejectedCount }, perService, once },
    JSON_ANSWERS,
  );
}

/** The publish endpoint's answers: its own JSON result, and the gateway's JSON errors. */
const JSON_ANSWERS: PublishAnswers = {
  stored: (result) => json(202, JSON.stringify(result)),
  refused: ({ code, message, retryAfterSeconds }) =>
    json(ERROR_STATUS[code], JSON.stringify(errorBody(code, message)), {
      'retry-after': String(retryAfterSeconds),
    }),
};

function json(status: number, body: string, headers: Record<string, string> = {}): PublishAnswer {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body };
}

type Item = { value: unknown } | { error: string };

/** Far past `{"logs": [entry]}` with fields `MAX_FIELD_DEPTH` deep, and far short of a costly parse. */
const MAX_BODY_DEPTH = 4 * MAX_FIELD_DEPTH;
type ParseFailure = { code: 'invalid_json' | 'invalid_entry' | 'payload_too_large'; message: string };

/**
 * The body's entries, or why the body is refused whole. A body of more than `maxEntries` entries is
 * refused before any of them is looked at (413, which publishers answer by splitting the batch): the
 * work a request costs is bounded by the entries it may hold, not by how small each can be made.
 */
function parseItems(text: string, ndjson: boolean, maxEntries: number): Item[] | ParseFailure {
  // An entry nested a little too deep is refused on its own, with its index, like any invalid entry;
  // only a body far past what any entry may hold is refused whole, before parsing costs anything.
  if (jsonDepthExceeds(text, MAX_BODY_DEPTH, ndjson)) {
    return {
      code: 'invalid_entry',
      message: `the body nests deeper than ${MAX_BODY_DEPTH} levels; an entry's fields may nest ${MAX_FIELD_DEPTH}`,
    };
  }
  if (ndjson) {
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    if (lines.length > maxEntries) return tooManyEntries(lines.length, maxEntries);
    const items: Item[] = new Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      try {
        items[i] = { value: JSON.parse(lines[i]!) };
      } catch {
        items[i] = { error: 'this line is not valid JSON' };
      }
    }
    return items;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { code: 'invalid_json', message: 'the body is not valid JSON' };
  }
  let values: unknown[] = [value];
  if (Array.isArray(value)) values = value;
  else if (typeof value === 'object' && value !== null && 'logs' in value) {
    const logs = (value as { logs: unknown }).logs;
    if (!Array.isArray(logs)) return { code: 'invalid_entry', message: '"logs" must be an array of entries' };
    values = logs;
  }
  if (values.length > maxEntries) return tooManyEntries(values.length, maxEntries);
  return values.map((v) => ({ value: v }));
}

function tooManyEntries(count: number, maxEntries: number): ParseFailure {
  return {
    code: 'payload_too_large',
    message: `the body holds ${count} entries, more than the ${maxEntries} one request may hold; send smaller batches`,
  };
}

/**
 * Validates every item. Only the first {@link MAX_REJECTED_LISTED} rejections are listed with their
 * reason; the rest are counted, so a batch of a million bad entries gets an answer of a few kB.
 */
function validateAll(ctx: GatewayContext, items: Item[], grant: Grant) {
  const valid: NormalizedEntry[] = [];
  const rejected: RejectedEntry[] = [];
  let rejectedCount = 0;
  const codes = new Set<ErrorCode>();
  const reject = (index: number, code: ErrorCode, message: () => string) => {
    rejectedCount++;
    codes.add(code);
    if (rejected.length < MAX_REJECTED_LISTED) rejected.push({ index, error: { code, message: message() } });
  };
  // Counted only when a rate limit is on: the service of each entry is at hand here, parsed once.
  const perService = ctx.rateLimiter && new Map<string, number>();
  const now = ctx.options.now;
  for (let index = 0; index < items.length; index++) {
    const item = items[index]!;
    if ('error' in item) {
      reject(index, 'invalid_json', () => item.error);
      continue;
    }
    const result = validateEntry(item.value, { now });
    if (!result.ok) {
      reject(index, result.code, () => result.message);
      continue;
    }
    const service = parseChannel(result.entry.channel)!.service;
    if (!canPublish(grant, service)) {
      reject(index, 'forbidden', () => `this token may not publish to service "${service}"`);
      continue;
    }
    valid.push(result.entry);
    perService?.set(service, (perService.get(service) ?? 0) + 1);
  }
  return { valid, rejected, rejectedCount, codes, perService };
}
