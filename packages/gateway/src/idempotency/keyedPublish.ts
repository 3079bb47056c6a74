import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  type NormalizedEntry,
  parseIdempotencyKey,
} from '@logs-sse/protocol';
import type { GatewayContext } from '../context';
import { sendError, sendRawJson } from '../http/answers';
import type { AppendOnceResult, RecordedAnswer } from '../store/store';

/** A publish that carries an `Idempotency-Key`: who sent which key, and for which body. */
export interface Keyed {
  readonly scope: string;
  readonly fingerprint: string;
}

/**
 * The key of a publish request: `undefined` without the header, `false` (answered 400) when the header is
 * not one key. Read before the body, so a malformed key costs no body.
 */
export function idempotencyKeyOf(req: IncomingMessage, res: ServerResponse): string | undefined | false {
  const value = req.headers[IDEMPOTENCY_KEY_HEADER];
  if (value === undefined) return undefined;
  const key = typeof value === 'string' ? parseIdempotencyKey(value) : undefined;
  if (key !== undefined) return key;
  sendError(
    res,
    'invalid_idempotency_key',
    'Idempotency-Key must be one string of 1 to 255 printable ASCII characters without spaces, quotes or backslashes, such as "4f0c2d1e-9b7a-4c55-8e0f-2a1b3c4d5e6f"',
  );
  return false;
}

/**
 * Scopes the key to the token's identity, so two publishers never share a key, and fingerprints the body
 * as read (after gunzip) with how it is read (`true` for NDJSON, `false` for JSON on publish, or the name
 * of another encoding): a repeat must be the same request.
 */
export function keyed(identity: string, key: string, body: Buffer, readAs: boolean | string): Keyed {
  const scope = createHash('sha256').update(identity).update('\n').update(key).digest('base64url');
  const fingerprint = createHash('sha256')
    .update(readAs === true ? 'n' : readAs === false ? 'j' : `${readAs}\n`)
    .update(body)
    .digest('base64url');
  return { scope, fingerprint };
}

/**
 * Answers that are not JSON (OTLP's protobuf) are recorded as text with this prefix and their bytes in
 * base64; a JSON answer always starts with `{`, so the two never meet.
 */
const PROTOBUF_ANSWER = 'protobuf:';

/** The body of an answer as a record keeps it: JSON as it is, protobuf bytes in base64. */
export function recordedBody(body: string | Uint8Array): string {
  return typeof body === 'string' ? body : PROTOBUF_ANSWER + Buffer.from(body).toString('base64');
}

/**
 * Answers a repeat of a stored publish before any work is done, where this gateway holds the records
 * (the in-memory store); waits while the first request with the key is still being handled. Resolves
 * `true` when the request was answered here.
 */
export async function answeredBefore(
  ctx: GatewayContext,
  res: ServerResponse,
  once: Keyed,
): Promise<boolean> {
  const cache = ctx.idempotency;
  if (cache === undefined) return false;
  for (;;) {
    const claim = cache.claim(once.scope, once.fingerprint);
    if (claim.kind === 'new') return false;
    if (claim.kind === 'wait') {
      await claim.settled;
      continue;
    }
    if (claim.kind === 'replay') replay(res, claim.answer);
    else reused(ctx, res);
    return true;
  }
}

/** Stores the entries and the record of `answer` together; or, for a repeat, stores nothing. */
export async function appendKeyed(
  ctx: GatewayContext,
  entries: readonly NormalizedEntry[],
  once: Keyed,
  answer: RecordedAnswer,
): Promise<AppendOnceResult> {
  const cache = ctx.idempotency;
  if (cache === undefined && ctx.store.appendOnce) {
    const windowMs = ctx.options.idempotencyWindowSeconds * 1000;
    return ctx.store.appendOnce(entries, { ...once, answer, windowMs });
  }
  const stored = await ctx.store.append(entries);
  cache?.complete(once.scope, answer);
  return { stored };
}

/** Lets a repeat through as a new request: the first one stored nothing. */
export function releaseKey(ctx: GatewayContext, once: Keyed | undefined): void {
  if (once !== undefined) ctx.idempotency?.release(once.scope);
}

/** Answers a repeat as the first request was answered, and says it is a replay. */
export function replay(res: ServerResponse, answer: RecordedAnswer): void {
  if (!answer.body.startsWith(PROTOBUF_ANSWER)) {
    sendRawJson(res, answer.status, answer.body, { [IDEMPOTENT_REPLAYED_HEADER]: 'true' });
    return;
  }
  const bytes = Buffer.from(answer.body.slice(PROTOBUF_ANSWER.length), 'base64');
  res.writeHead(answer.status, {
    'content-type': 'application/x-protobuf',
    'content-length': String(bytes.length),
    'cache-control': 'no-store',
    [IDEMPOTENT_REPLAYED_HEADER]: 'true',
  });
  res.end(bytes);
}

export function reused(ctx: GatewayContext, res: ServerResponse): void {
  sendError(
    res,
    'idempotency_key_reused',
    `this Idempotency-Key was sent with another body within the last ${ctx.options.idempotencyWindowSeconds} s: send a new key with each new batch`,
  );
}
