import { describe, expect, it } from 'vitest';
import { isLogLevel, LOG_LEVELS, levelRank, normalizeLevel } from '../src/index';

describe('normalizeLevel', () => {
  it.each([
    ['info', 'info'],
    ['INFO', 'info'],
    ['WARNING', 'warn'],
    ['Warn', 'warn'],
    ['err', 'error'],
    ['ERROR', 'error'],
    ['critical', 'fatal'],
    ['emerg', 'fatal'],
    ['verbose', 'trace'],
    ['notice', 'info'],
  ])('maps the name %s to %s', (input, expected) => {
    expect(normalizeLevel(input)).toBe(expected);
  });

  it.each([
    [10, 'trace'],
    [20, 'debug'],
    [30, 'info'],
    [40, 'warn'],
    [50, 'error'],
    [60, 'fatal'],
    [35, 'info'],
    ['50', 'error'],
  ])("maps pino's numeric level %s to %s", (input, expected) => {
    expect(normalizeLevel(input)).toBe(expected);
  });

  it.each([
    [''],
    ['loud'],
    ['1e2'],
    [5],
    [1000],
    [30.5],
    [Number.NaN],
    [null],
    [{}],
    [['info']],
    ['__proto__'],
    ['constructor'],
    ['toString'],
  ])('names no level for %j', (input) => {
    expect(normalizeLevel(input)).toBeUndefined();
  });

  it('orders the levels from trace to fatal', () => {
    expect(LOG_LEVELS.map(levelRank)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(isLogLevel('warn')).toBe(true);
    expect(isLogLevel('WARN')).toBe(false);
    expect(isLogLevel('hasOwnProperty')).toBe(false);
  });
});
