import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from '../src/backoff';
import { EntryQueue, lineSize } from '../src/entryQueue';
import { readAnswer } from '../src/publishAnswer';

describe('EntryQueue', () => {
  it('is first in, first out across wrap-around, splices lines and sums their sizes', () => {
    const queue = new EntryQueue(3);
    queue.push('{"a":1}', '{"service":"s"', 5);
    queue.push('{"b":2}', '{', Number.NaN);
    expect(queue.shift()).toBe('{"service":"s","timestamp":5,"a":1}');
    queue.push('{}', '{"service":"s"', Number.NaN);
    queue.push('{"d":4}', '{', 7);
    expect(queue.size).toBe(3);
    expect(queue.bytes).toBe(lineSize('{"b":2}', '{', Number.NaN) + 16 + 1 + 7 + 1 + 30);
    expect(queue.peekSize()).toBe(9);
    queue.drop();
    expect([queue.shift(), queue.shift(), queue.shift()]).toEqual([
      '{"service":"s"}',
      '{"timestamp":7,"d":4}',
      undefined,
    ]);
    expect(queue.bytes).toBe(0);
  });
});

describe('backoff', () => {
  it('draws full jitter under a doubling cap', () => {
    expect(backoffDelay(0, 100, 30_000, () => 0.999)).toBe(99);
    expect(backoffDelay(3, 100, 30_000, () => 0.5)).toBe(400);
    expect(backoffDelay(50, 100, 30_000, () => 0.5)).toBe(15_000);
    expect(backoffDelay(2, 100, 30_000, () => 0)).toBe(0);
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(parseRetryAfter('7', 0)).toBe(7000);
    expect(parseRetryAfter(' 1.5 ', 0)).toBe(1500);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });
});

describe('readAnswer', () => {
  const answer = (status: number, body: unknown, retryAfter?: string) =>
    ({ ok: true, status, retryAfter, body: JSON.stringify(body) }) as const;

  it('splits the rejections of a 400 into refused and invalid by their codes', () => {
    const rejected = [
      { index: 0, error: { code: 'forbidden', message: 'not yours' } },
      { index: 1, error: { code: 'invalid_entry', message: 'bad' } },
      { index: 2, error: { code: 'invalid_channel', message: 'bad' } },
    ];
    const verdict = readAnswer(
      answer(400, { error: { code: 'invalid_entry', message: 'x', rejected } }),
      3,
      0,
    );
    expect(verdict).toMatchObject({ action: 'settled', refused: 1, invalid: 2, sent: 0 });
  });

  it('trusts neither a missing nor an oversized accepted count', () => {
    expect(readAnswer(answer(202, 'not an object'), 4, 0)).toMatchObject({ sent: 4, accepted: true });
    expect(readAnswer(answer(202, { accepted: 99, rejected: [] }), 4, 0)).toMatchObject({ sent: 4 });
    expect(readAnswer(answer(202, { accepted: -1 }), 4, 0)).toMatchObject({ sent: 0, invalid: 4 });
  });

  it('retries 408, 429 and 5xx, with the Retry-After of the answer', () => {
    expect(readAnswer(answer(503, {}, '2'), 1, 0)).toMatchObject({ action: 'retry', retryAfterMs: 2000 });
    expect(readAnswer(answer(408, {}), 1, 0)).toMatchObject({ action: 'retry', retryAfterMs: undefined });
    expect(readAnswer({ ok: false, code: 'timeout', message: 'slow' }, 1, 0)).toMatchObject({
      action: 'retry',
      connection: 'retrying',
      error: { code: 'timeout' },
    });
  });
});
