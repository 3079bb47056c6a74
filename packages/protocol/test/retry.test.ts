import { describe, expect, it } from 'vitest';
import { isRetryableStatus, parseRetryAfter } from '../src/index';

const NOW = Date.UTC(2015, 9, 21, 7, 28, 0);

describe('isRetryableStatus', () => {
  it('retries 408, 429 and every 5xx', () => {
    for (const status of [408, 429, 500, 502, 503, 504, 599]) expect(isRetryableStatus(status)).toBe(true);
  });

  it('does not retry success, redirects, or a 4xx that would be refused again', () => {
    for (const status of [200, 202, 204, 301, 400, 401, 403, 404, 405, 409, 413, 415, 499]) {
      expect(isRetryableStatus(status)).toBe(false);
    }
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('7', NOW)).toBe(7000);
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
  });

  it('reads an HTTP date in each of its three forms as the time left until it', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Wednesday, 21-Oct-15 07:29:00 GMT', NOW)).toBe(60_000);
    // asctime carries no zone: it is GMT, whatever the zone of the reader.
    expect(parseRetryAfter('Wed Oct 21 07:28:05 2015', NOW)).toBe(5000);
  });

  it('reads a date in the past, or now, as no wait', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', NOW)).toBe(0);
  });

  it('ignores what is missing or unreadable, negative numbers and fractions included', () => {
    for (const value of [
      undefined,
      null,
      '',
      '   ',
      'soon',
      '-5',
      '-0.5',
      '1.5',
      '+5',
      '5s',
      '1e3',
      '0x10',
      '1 2 3',
      '.5',
      'Infinity',
      'Mon, 99 Foo 2015 00:00:00 GMT',
    ]) {
      expect(parseRetryAfter(value, NOW), String(value)).toBeUndefined();
    }
  });

  it('clamps a huge wait to the longest a timer can be set to', () => {
    const max = 2 ** 31 - 1;
    expect(parseRetryAfter('2147483', NOW)).toBe(2_147_483_000);
    expect(parseRetryAfter('2147484', NOW)).toBe(max);
    expect(parseRetryAfter('9'.repeat(400), NOW)).toBe(max);
    expect(parseRetryAfter('Fri, 31 Dec 9999 23:59:59 GMT', NOW)).toBe(max);
  });
});
