import { isRetryableStatus, parseRetryAfter } from '@logs-sse/protocol';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/backoff';
import type { Batch } from '../src/batch';
import { EntryQueue, lineSize } from '../src/entryQueue';
import { readAnswer } from '../src/publishAnswer';
import { pushJson } from './helpers/pushJson';

describe('EntryQueue', () => {
  const text = (batch: Batch | undefined, start = 0, end = batch?.length ?? 0) =>
    batch && Buffer.concat(batch.slice(start, end)).toString('utf8');

  it('is first in, first out across wrap-around and packs, splices lines and sums their sizes', () => {
    const queue = new EntryQueue(3);
    pushJson(queue, '{"a":1}', '{"service":"s"', 5);
    pushJson(queue, '{"b":2}', '{', Number.NaN);
    expect(text(queue.take(1, 1000))).toBe('{"service":"s","timestamp":5,"a":1}');
    pushJson(queue, '{}', '{"service":"s"', Number.NaN);
    queue.pack();
    pushJson(queue, '{"d":4}', '{', 7);
    expect(queue.size).toBe(3);
    expect(queue.loose).toBe(1);
    // Packed lines count at their size; a loose one with a stamp counts it at its longest.
    expect(queue.bytes).toBe(7 + 15 + lineSize(7, '{', 7));
    queue.drop();
    const batch = queue.take(10, 1000)!;
    expect(text(batch)).toBe('{"service":"s"}\n{"timestamp":7,"d":4}');
    expect([...batch.sizes]).toEqual([15, 21]);
    expect(text(batch, 1, 2)).toBe('{"timestamp":7,"d":4}');
    expect(queue.take(10, 1000)).toBeUndefined();
    expect(queue.bytes).toBe(0);
    expect(queue.size).toBe(0);
  });

  it('cuts a batch at the entry count and at the characters, and slices lines by their bytes', () => {
    const queue = new EntryQueue(10);
    const lines = ['{"m":"é"}', '{"m":"\u2028 😀"}', '{"m":"plain"}', '{"m":"x"}'];
    const [one, two, three, four] = lines as [string, string, string, string];
    pushJson(queue, one, '{', Number.NaN);
    pushJson(queue, two, '{', Number.NaN);
    queue.pack();
    pushJson(queue, three, '{', Number.NaN);
    pushJson(queue, four, '{', Number.NaN);
    // Two lines and their newline just miss the limit; the second exactly fits the next one.
    const first = queue.take(10, one.length + 1 + two.length - 1)!;
    expect(first.length).toBe(1);
    const second = queue.take(2, two.length + 1 + three.length)!;
    expect([text(second), text(second, 0, 1), text(second, 1, 2)]).toEqual([`${two}\n${three}`, two, three]);
    // One entry always goes, even over the limit, since it was checked against it when queued.
    expect(text(queue.take(10, 1))).toBe(four);
    expect(text(first)).toBe(one);
  });

  it('drops the oldest entry, packed or loose, and counts what clear() removed', () => {
    const queue = new EntryQueue(4);
    pushJson(queue, '{"a":1}', '{', Number.NaN);
    queue.pack();
    pushJson(queue, '{"b":2}', '{', Number.NaN);
    pushJson(queue, '{"c":3}', '{', Number.NaN);
    queue.drop();
    queue.drop();
    expect(text(queue.take(10, 1000))).toBe('{"c":3}');
    pushJson(queue, '{"d":4}', '{', Number.NaN);
    queue.pack();
    pushJson(queue, '{"e":5}', '{', Number.NaN);
    expect(queue.clear()).toBe(2);
    expect([queue.size, queue.bytes]).toEqual([0, 0]);
  });
});

describe('backoff', () => {
  it('draws full jitter under a doubling cap', () => {
    expect(backoffDelay(0, 100, 30_000, () => 0.999)).toBe(99);
    expect(backoffDelay(3, 100, 30_000, () => 0.5)).toBe(400);
    expect(backoffDelay(50, 100, 30_000, () => 0.5)).toBe(15_000);
    expect(backoffDelay(2, 100, 30_000, () => 0)).toBe(0);
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

  it('retries exactly the statuses the retry contract names, splits a 413 and a 400 about the whole body, and drops the rest', () => {
    for (let status = 400; status < 600; status++) {
      const { action } = readAnswer(answer(status, {}), 2, 0);
      const expected = isRetryableStatus(status)
        ? 'retry'
        : status === 413 || status === 400
          ? 'split'
          : 'settled';
      expect(action, String(status)).toBe(expected);
    }
    // A lone entry the body's fault is about is dropped as invalid, not split further.
    expect(readAnswer(answer(400, { error: { code: 'invalid_json', message: 'deep' } }), 1, 0)).toMatchObject(
      {
        action: 'settled',
        invalid: 1,
      },
    );
  });

  it('waits what the contract reads from Retry-After: seconds, HTTP dates, past dates, nothing for the rest', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const cases: [string, number | undefined][] = [
      ['7', 7000],
      ['1.5', undefined],
      ['Thu, 01 Jan 2026 12:00:09 GMT', 9000],
      ['Thursday, 01-Jan-26 12:00:09 GMT', 9000],
      ['Thu Jan  1 12:00:09 2026', 9000],
      ['Thu, 01 Jan 2026 11:00:00 GMT', 0],
      ['soon', undefined],
      ['-5', undefined],
      ['99999999999', 2 ** 31 - 1],
    ];
    for (const [value, expected] of cases) {
      expect(readAnswer(answer(429, {}, value), 1, now).retryAfterMs, value).toBe(expected);
      expect(parseRetryAfter(value, now)).toBe(expected);
    }
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
