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
  ])('refuses %j', (value) => {
    expect(normalizeTimestamp(value)).toBeUndefined();
  });
});
