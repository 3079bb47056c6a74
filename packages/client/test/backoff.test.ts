import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/backoff';

const options = { initialDelayMs: 1000, maxDelayMs: 30_000, factor: 2, jitter: 1 };
const schedule = (count: number, random: () => number, base = 1000, reconnect = options) =>
  Array.from({ length: count }, (_, attempt) =>
    backoffDelay(attempt, base, reconnect.factor, reconnect.maxDelayMs, reconnect.jitter, random),
  );

describe('backoffDelay', () => {
  it('grows by `factor` up to `maxDelayMs` (random at its top)', () => {
    expect(schedule(8, () => 0.999999)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('draws each delay anywhere from 0 to the ceiling with full jitter', () => {
    const draws = [0, 0.5, 0.25];
    expect(schedule(3, () => draws.shift()!)).toEqual([0, 1000, 1000]);
  });

  it('keeps the lower part fixed with partial jitter', () => {
    expect(schedule(2, () => 0, 1000, { ...options, jitter: 0.5 })).toEqual([500, 1000]);
    expect(schedule(2, () => 0.7, 1000, { ...options, jitter: 0 })).toEqual([1000, 2000]);
  });

  it("starts from the server's retry: value when it is the base", () => {
    expect(schedule(2, Math.random, 250, { ...options, jitter: 0 })).toEqual([250, 500]);
  });
});
