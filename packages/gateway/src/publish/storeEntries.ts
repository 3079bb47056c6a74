import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  isPublisherId,
  type NormalizedEntry,
  PUBLISHER_ID_HEADER,
  type PublishResult,
  parseChannel,
} from '@logs-sse/protocol';
import type { Grant } from '../auth/auth';
import type { GatewayContext } from '../context';
import { appendKeyed, type Keyed, recordedBody, replay, reused } from '../idempotency/keyedPublish';
import type { RateLimiter } from '../rateLimiter';

/** An answer as data: what an endpoint writes, and what could be written again for the same request. */
export interface PublishAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

/** Why entries that passed validation were not stored; either way nothing of the batch was kept. */
export type StoreRefusal = {
  code: 'rate_limited' | 'unavailable';
  message: string;
  retryAfterSeconds: number;
};

/** How one endpoint writes the outcome of storing a batch, in its own wire format. */
export interface PublishAnswers {
  stored(result: PublishResult): PublishAnswer;
  refused(refusal: StoreRefusal): PublishAnswer;
}

/** A batch that passed validation, and what is known of the request that carried it. */
export interface ValidBatch {
  grant: Grant;
  /** The body as read (after gunzip), for whatever needs to recognise the same request sent again. */
  body: Buffer;
  valid: NormalizedEntry[];
  /** Entries refused by validation, already counted in `logsRejected`; listed in the answer. */
  result: Omit<PublishResult, 'accepted'>;
  /** Valid entries per service, when a rate limit is on. */
  perService: ReadonlyMap<string, number> | undefined;
  /**
   * The request's `Idempotency-Key`, scoped and with the body's fingerprint: the batch is then stored
   * with a record of its answer, and a repeat gets that answer and stores nothing.
   */
  once?: Keyed;
}

/**
 * Stores a batch that passed validation and answers the request: the rate limit per service, the
 * append, the counters, the publisher's activity, then the endpoint's own answer. Every endpoint that
 * publishes ends here, so that what holds for one (limits, store failures) holds for all.
 */
export async function storeEntries(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  batch: ValidBatch,
  answers: PublishAnswers,
): Promise<void> {
  const { valid, perService, grant } = batch;
  // Buckets are charged before the append, so that concurrent requests of one service see each other's
  // charge, and refunded when the store fails: a 503 costs a publisher nothing.
  const limiter = ctx.rateLimiter;
  if (limiter && perService) {
    const refusal = admitRate(ctx, limiter, perService, valid.length);
    if (refusal) {
      writeAnswer(res, answers.refused(refusal));
      return;
    }
  }
  const answer = answers.stored({ accepted: valid.length, ...batch.result });
  try {
    const { once } = batch;
    if (once) {
      const recorded = { status: answer.status, body: recordedBody(answer.body) };
      const outcome = await appendKeyed(ctx, valid, once, recorded);
      if ('replay' in outcome) {
        // Stored before (through another gateway, or before a lost answer): nothing new was stored.
        if (limiter && perService) limiter.refund(perService);
        if (outcome.fingerprint === once.fingerprint) replay(res, outcome.replay);
        else reused(ctx, res);
        return;
      }
    } else {
      await ctx.store.append(valid);
    }
  } catch (error) {
    if (limiter && perService) limiter.refund(perService);
    ctx.options.logger.error({ err: error }, 'store append failed');
    writeAnswer(res, answers.refused(UNAVAILABLE));
    return;
  }
  ctx.metrics.logsIn += valid.length;
  const service = parseChannel(valid[0]!.channel)!.service;
  ctx.publishers.published(publisherId(req) ?? `service:${service}`, service, valid.length, grant.identity);
  writeAnswer(res, answer);
}

/** The store cannot take entries now (checked before the body is read, and when an append fails). */
export const UNAVAILABLE: StoreRefusal = {
  code: 'unavailable',
  message: 'the log store is unavailable; retry later',
  retryAfterSeconds: 1,
};

/** Lets the request through, or says why not when one of its services is over its limit. */
function admitRate(
  ctx: GatewayContext,
  limiter: RateLimiter,
  perService: ReadonlyMap<string, number>,
  count: number,
): StoreRefusal | undefined {
  const refusal = limiter.admit(perService);
  if (refusal === undefined) return undefined;
  ctx.metrics.logsRateLimited += count;
  const { service, retryAfterSeconds } = refusal;
  const limit = `${limiter.entriesPerSecond} entries/s, burst ${limiter.burst}`;
  if (refusal.newlyLimited) {
    ctx.options.logger.warn(
      { service, entriesPerSecond: limiter.entriesPerSecond, burst: limiter.burst, retryAfterSeconds },
      'service over its publish rate limit: refused with 429 (logged at most once a minute per service)',
    );
  }
  return {
    code: 'rate_limited',
    message: `service "${service}" is over its publish rate limit of ${limit}; nothing was stored, retry after ${retryAfterSeconds} s`,
    retryAfterSeconds,
  };
}

export function writeAnswer(res: ServerResponse, answer: PublishAnswer): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const length = typeof answer.body === 'string' ? Buffer.byteLength(answer.body) : answer.body.length;
  res.writeHead(answer.status, {
    'cache-control': 'no-store',
    ...answer.headers,
    'content-length': String(length),
  });
  res.end(answer.body);
}

/** The publisher's own id from `X-Publisher-Id`, when it is short and printable. */
function publisherId(req: IncomingMessage): string | undefined {
  const id = req.headers[PUBLISHER_ID_HEADER];
  return isPublisherId(id) ? id : undefined;
}
