import {
  isRetryableStatus,
  type PublishResult,
  parseRetryAfter,
  type RejectedEntry,
} from '@logs-sse/protocol';
import type { HttpOutcome } from './httpClient';
import { PublisherError } from './publisherError';
import type { ConnectionStatus } from './stats';

/** What one answer to a publish request means for the `count` entries it carried. */
export interface AnswerVerdict {
  /** Move on (every entry is sent or dropped), split the batch in halves, or send it again. */
  action: 'settled' | 'split' | 'retry';
  sent: number;
  invalid: number;
  refused: number;
  tooLarge: number;
  /** The gateway took the request (2xx). */
  accepted: boolean;
  connection: Exclude<ConnectionStatus, 'idle' | 'closed'>;
  /** What the gateway asked for with `Retry-After`, in milliseconds. */
  retryAfterMs: number | undefined;
  error: PublisherError | undefined;
}

/**
 * Reads the gateway's answer the way the protocol's retry contract puts it: 2xx counts what was
 * accepted and rejected; 413 splits, and so does a 400 about the body as a whole; what
 * `isRetryableStatus` names (408, 429, 5xx) and network faults are retried; any other 4xx drops the
 * entries, since sending them again would be refused again.
 */
export function readAnswer(outcome: HttpOutcome, count: number, now: number): AnswerVerdict {
  const verdict: AnswerVerdict = {
    action: 'settled',
    sent: 0,
    invalid: 0,
    refused: 0,
    tooLarge: 0,
    accepted: false,
    connection: 'connected',
    retryAfterMs: undefined,
    error: undefined,
  };
  if (!outcome.ok) {
    verdict.action = 'retry';
    verdict.connection = 'retrying';
    verdict.error = new PublisherError(outcome.code, outcome.message, undefined, count);
    return verdict;
  }
  const { status, body } = outcome;
  if (status >= 200 && status < 300) {
    const result = parseJson(body) as Partial<PublishResult> | undefined;
    const rejected = Array.isArray(result?.rejected) ? result.rejected : [];
    const claimed = typeof result?.accepted === 'number' ? result.accepted : count - rejected.length;
    verdict.accepted = true;
    verdict.sent = Math.min(count, Math.max(0, claimed));
    const lost = count - verdict.sent;
    if (lost > 0) {
      splitRejected(verdict, rejected, lost);
      const first = rejected[0]?.error?.message ?? 'entries rejected';
      verdict.error = new PublisherError(
        'invalid_entries',
        `${lost} of ${count} rejected: ${first}`,
        status,
        lost,
      );
    }
    return verdict;
  }
  if (status === 413) {
    if (count > 1) {
      verdict.action = 'split';
      return verdict;
    }
    verdict.tooLarge = 1;
    verdict.error = new PublisherError(
      'payload_too_large',
      'an entry is over the gateway body limit',
      413,
      1,
    );
    return verdict;
  }
  const message = errorMessage(body, status);
  if (isRetryableStatus(status)) {
    verdict.action = 'retry';
    verdict.connection = 'retrying';
    verdict.retryAfterMs = parseRetryAfter(outcome.retryAfter, now);
    verdict.error = new PublisherError(
      status === 429 ? 'rate_limited' : 'server_error',
      message,
      status,
      count,
    );
    return verdict;
  }
  if (status === 400) {
    const rejected = (parseJson(body) as { error?: { rejected?: unknown } } | undefined)?.error?.rejected;
    if (!Array.isArray(rejected) && count > 1) {
      // A fault of the body as a whole: for our NDJSON, one entry nested deeper than the gateway reads,
      // found before it parses a line. Halving finds it, and it alone is dropped.
      verdict.action = 'split';
      return verdict;
    }
    splitRejected(verdict, Array.isArray(rejected) ? rejected : [], count);
    verdict.error = new PublisherError('invalid_entries', message, status, count);
  } else if (status === 401 || status === 403) {
    verdict.refused = count;
    verdict.connection = 'refused';
    verdict.error = new PublisherError('refused', message, status, count);
  } else {
    verdict.refused = count;
    verdict.error = new PublisherError('unexpected_status', message, status, count);
  }
  return verdict;
}

/** Of `lost` entries, those refused for their service count as refused, the rest as invalid. */
function splitRejected(verdict: AnswerVerdict, rejected: RejectedEntry[], lost: number): void {
  let refused = 0;
  for (const item of rejected) {
    const code = item?.error?.code;
    if (code === 'forbidden' || code === 'unauthorized') refused++;
  }
  verdict.refused = Math.min(refused, lost);
  verdict.invalid = lost - verdict.refused;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function errorMessage(body: string, status: number): string {
  const message = (parseJson(body) as { error?: { message?: unknown } } | undefined)?.error?.message;
  return typeof message === 'string' ? `${status}: ${message}` : `gateway answered ${status}`;
}
