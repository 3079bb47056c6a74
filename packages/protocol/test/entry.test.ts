import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PHASE_LENGTH, MAX_PROGRESS, normalizeTimestamp, validateEntry } from '../src/index';

const now = () => Date.UTC(2026, 10, 24, 12, 0, 0);

describe('validateEntry', () => {
  it('forms the channel from service, workspace_id and resource_id and keeps other fields', () => {
    const result = validateEntry(
      {
        service: 'etl',
        workspace_id: 'ws-1',
        resource_id: 'run-1',
        level: 'WARNING',
        message: 'slow',
        rows: 12,
      },
      { now },
    );
    expect(result).toEqual({
      ok: true,
      entry: {
        type: 'log',
        channel: 'logs:etl:ws-1:run-1',
        body: {
          channel: 'logs:etl:ws-1:run-1',
          timestamp: '2026-11-24T12:00:00.000Z',
          level: 'warn',
          message: 'slow',
          service: 'etl',
          workspace_id: 'ws-1',
          resource_id: 'run-1',
          rows: 12,
        },
      },
    });
  });

  it('takes an explicit channel, a default service, and workflow_id as the resource', () => {
    const explicit = validateEntry({ channel: 'logs:wf:ws:r', message: 'm' }, { now });
    expect(explicit.ok && explicit.entry.channel).toBe('logs:wf:ws:r');
    const derived = validateEntry(
      { workspace_id: 'ws', workflow_id: 'wf-9', message: 'm' },
      { defaultService: 'wf' },
    );
    expect(derived.ok && derived.entry.channel).toBe('logs:wf:ws:wf-9');
  });

  it('defaults the level to info and the timestamp to now, and normalises timestamps to UTC', () => {
    const result = validateEntry({
      channel: 'logs:a:b:c',
      message: 'm',
      timestamp: '2026-01-02T03:04:05+02:00',
    });
    expect(result.ok && result.entry.body).toMatchObject({
      level: 'info',
      timestamp: '2026-01-02T01:04:05.000Z',
    });
    const fromNumber = validateEntry({ channel: 'logs:a:b:c', message: 'm', time: 0 });
    expect(fromNumber.ok && fromNumber.entry.body.timestamp).toBe('1970-01-01T00:00:00.000Z');
  });

  it('replaces a publisher-sent id: the gateway assigns ids', () => {
    const result = validateEntry({ channel: 'logs:a:b:c', message: 'm', id: 'forged' });
    expect(result.ok && 'id' in result.entry.body).toBe(false);
  });

  it('validates status and done entries', () => {
    const status = validateEntry({
      type: 'status',
      channel: 'logs:a:b:c',
      phase: 'provisioning',
      progress: 40,
    });
    expect(status.ok && status.entry).toMatchObject({
      type: 'status',
      body: { phase: 'provisioning', progress: 40 },
    });
    const done = validateEntry({ type: 'done', channel: 'logs:a:b:c' });
    expect(done.ok && done.entry.type).toBe('done');
    expect(validateEntry({ type: 'status', channel: 'logs:a:b:c', phase: 'x', progress: 101 })).toMatchObject(
      {
        ok: false,
        code: 'invalid_entry',
      },
    );
    expect(validateEntry({ type: 'status', channel: 'logs:a:b:c' })).toMatchObject({ ok: false });
  });

  it('holds status entries to the exported phase and progress limits, both ends included', () => {
    const status = (phase: string, progress?: number) =>
      validateEntry({ type: 'status', channel: 'logs:a:b:c', phase, progress }).ok;
    expect(status('x'.repeat(MAX_PHASE_LENGTH))).toBe(true);
    expect(status('x'.repeat(MAX_PHASE_LENGTH + 1))).toBe(false);
    expect(status('')).toBe(false);
    expect(status('x', 0)).toBe(true);
    expect(status('x', MAX_PROGRESS)).toBe(true);
    expect(status('x', MAX_PROGRESS + 0.5)).toBe(false);
    expect(status('x', -0.5)).toBe(false);
  });

  it.each([
    [null, 'invalid_entry'],
    ['a string', 'invalid_entry'],
    [[{ message: 'm' }], 'invalid_entry'],
    [{ channel: 'logs:a:b:c' }, 'invalid_entry'],
    [{ channel: 'logs:a:b:c', message: 42 }, 'invalid_entry'],
    [{ channel: 'logs:a:b:c', message: 'm', level: 'loud' }, 'invalid_entry'],
    [{ channel: 'logs:a:b:c', message: 'm', level: {} }, 'invalid_entry'],
    [{ channel: 'logs:a:b:c', message: 'm', timestamp: 'yesterday' }, 'invalid_entry'],
    [{ channel: 'logs:a:b:c', message: 'm', timestamp: -1 }, 'invalid_entry'],
    [{ channel: 'logs:a:b:c', message: 'm', type: 'metric' }, 'invalid_entry'],
    [{ channel: 'logs:a:b', message: 'm' }, 'invalid_channel'],
    [{ channel: 'logs:a:*:c', message: 'm' }, 'invalid_channel'],
    [{ channel: 42, message: 'm' }, 'invalid_channel'],
    [{ message: 'm' }, 'invalid_channel'],
    [{ service: 'a b', workspace_id: 'w', resource_id: 'r', message: 'm' }, 'invalid_channel'],
    [{ service: 'a', workspace_id: 7, resource_id: 'r', message: 'm' }, 'invalid_channel'],
  ])('refuses %j with %s', (input, code) => {
    expect(validateEntry(input)).toMatchObject({ ok: false, code });
  });

  it('refuses fields nested too deep to serialise safely, and keeps reasonable nesting', () => {
    const deep = JSON.parse(
      `{"channel":"logs:a:b:c","message":"m","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    );
    expect(validateEntry(deep)).toMatchObject({ ok: false, code: 'invalid_entry' });
    const nested = {
      channel: 'logs:a:b:c',
      message: 'm',
      err: { cause: { cause: { stack: ['at f (a.js:1:1)'] } } },
    };
    expect(validateEntry(nested)).toMatchObject({ ok: true });
  });

  it('does not let __proto__ in an entry reach the prototype', () => {
    const input = JSON.parse('{"channel":"logs:a:b:c","message":"m","__proto__":{"polluted":true}}');
    const result = validateEntry(input);
    expect(result.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(result.ok && Object.getPrototypeOf(result.entry.body)).toBe(Object.prototype);
  });

  it('never throws, whatever JSON it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = validateEntry(value);
        expect(typeof result.ok).toBe('boolean');
      }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (fields) => {
        const result = validateEntry({ ...fields, channel: 'logs:a:b:c', message: 'm' });
        if (result.ok) expect(result.entry.channel).toBe('logs:a:b:c');
      }),
    );
  });
});

describe('normalizeTimestamp', () => {
  it('accepts ISO 8601 with any offset and epoch milliseconds', () => {
    expect(normalizeTimestamp('2026-11-24T12:00:00Z')).toBe('2026-11-24T12:00:00.000Z');
    expect(normalizeTimestamp('2026-11-24T12:00:00.123456-0130')).toBe('2026-11-24T13:30:00.123Z');
    expect(normalizeTimestamp(1_700_000_000_000)).toBe('2023-11-14T22:13:20.000Z');
  });

  it.each([
    ['2026-11-24'],
    ['12:00'],
    ['2026-13-45T99:99:99Z'],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [{}],
    [null],
    // Dates that do not exist are refused, not rolled over into the next month or day.
    ['2026-02-30T00:00:00Z'],
    ['2026-02-29T00:00:00Z'],
    ['1900-02-29T00:00:00Z'],
    ['2026-04-31T00:00:00Z'],
    ['2026-00-10T00:00:00Z'],
    ['2026-01-00T00:00:00Z'],
    ['2026-01-01T24:00:00Z'],
    ['2026-01-01T23:60:00Z'],
    ['2026-12-31T23:59:60Z'],
    ['2026-01-01T10:00:00+24:00'],
    ['2026-01-01T10:00:00+01:60'],
    // Outside 1970 to 9999.
    ['1969-12-31T23:59:59.999Z'],
    ['1970-01-01T00:30:00+01:00'],
    ['0000-01-01T00:00:00Z'],
    ['9999-12-31T23:00:00-01:00'],
    [-1],
    [Date.UTC(10_000, 0, 1)],
    [8.64e15],
  ])('refuses %j', (value) => {
    expect(normalizeTimestamp(value)).toBeUndefined();
  });

  it('accepts every real day, leap days included, and the ends of its range', () => {
    expect(normalizeTimestamp('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(normalizeTimestamp('2000-02-29T12:00:00Z')).toBe('2000-02-29T12:00:00.000Z');
    expect(normalizeTimestamp('2026-12-31T23:59:59.9999Z')).toBe('2026-12-31T23:59:59.999Z');
    expect(normalizeTimestamp('2026-03-01T00:30:00+01:00')).toBe('2026-02-28T23:30:00.000Z');
    expect(normalizeTimestamp('1970-01-01T00:00:00Z')).toBe('1970-01-01T00:00:00.000Z');
    expect(normalizeTimestamp('9999-12-31T23:59:59.999Z')).toBe('9999-12-31T23:59:59.999Z');
    expect(normalizeTimestamp(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(normalizeTimestamp(Date.UTC(9999, 11, 31, 23, 59, 59, 999))).toBe('9999-12-31T23:59:59.999Z');
  });

  it('agrees with Date.parse on every valid timestamp', () => {
    fc.assert(
      fc.property(
        // A day short of the end, so that the time written at an offset still has a four-digit year.
        fc.date({ min: new Date(0), max: new Date('9999-12-30T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom('Z', '+00:00', '+05:30', '-0800', '+14:00'),
        (date, offset) => {
          const local = shiftToOffset(date, offset);
          const parsed = Date.parse(local);
          const expected =
            parsed >= 0 && parsed <= Date.UTC(9999, 11, 31, 23, 59, 59, 999) ? parsed : undefined;
          expect(normalizeTimestamp(local)).toBe(
            expected === undefined ? undefined : new Date(expected).toISOString(),
          );
        },
      ),
    );
  });
});

/** `date` written as local time at `offset`, such as `2026-01-02T08:34:05.000+05:30`. */
function shiftToOffset(date: Date, offset: string): string {
  if (offset === 'Z') return date.toISOString();
  const sign = offset[0] === '-' ? -1 : 1;
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(-2)));
  return new Date(date.getTime() + minutes * 60_000).toISOString().replace('Z', offset);
}
