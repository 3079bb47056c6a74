import { validateEntry } from '@logs-sse/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntryEncoder, spliceLine } from '../src/entryEncoder';
import { EntryQueue } from '../src/entryQueue';

const now = () => 1_700_000_000_000;

/** The line the background loop will send for `entry`. */
function lineOf(encoder: EntryEncoder, entry: unknown): string | undefined {
  const queue = new EntryQueue(1);
  const own = encoder.encode(entry, queue.parts);
  if (own < 0) return undefined;
  queue.commit(own, encoder.head, encoder.stamp);
  const batch = queue.take(1, 1 << 30)!;
  const line = Buffer.concat(batch.slice(0, 1)).toString('utf8');
  // The size the queue counts is the line's.
  expect(batch.sizes[0]).toBe(line.length);
  return line;
}

describe('EntryEncoder', () => {
  it('adds service and timestamp in front of the caller fields, without touching the object', () => {
    const encoder = new EntryEncoder('billing', {}, now);
    const entry = { workspace_id: 'ws-1', resource_id: 'run-1', level: 'warn', message: 'hi', n: 1 };
    const line = lineOf(encoder, entry)!;
    expect(JSON.parse(line)).toEqual({ service: 'billing', timestamp: now(), ...entry });
    expect(entry).toEqual({ workspace_id: 'ws-1', resource_id: 'run-1', level: 'warn', message: 'hi', n: 1 });
    const validated = validateEntry(JSON.parse(line));
    expect(validated).toMatchObject({ ok: true, entry: { channel: 'logs:billing:ws-1:run-1' } });
  });

  it('keeps a timestamp the caller gave and names no service when the entry has a channel', () => {
    const encoder = new EntryEncoder('billing', {}, now);
    const line = lineOf(encoder, { channel: 'logs:a:b:c', message: 'm', timestamp: '2024-01-01T00:00:00Z' })!;
    expect(JSON.parse(line)).toEqual({
      channel: 'logs:a:b:c',
      message: 'm',
      timestamp: '2024-01-01T00:00:00Z',
    });
    expect(lineOf(encoder, { channel: 'logs:a:b:c', message: 'm', time: 5 })).toBe(
      '{"channel":"logs:a:b:c","message":"m","time":5}',
    );
  });

  it('adds bound fields; the entry own fields win', () => {
    const encoder = new EntryEncoder('svc', { workspace_id: 'ws', resource_id: 'r1', team: 'x' }, now);
    const parsed = JSON.parse(lineOf(encoder, { message: 'm', resource_id: 'r2' })!);
    expect(parsed).toMatchObject({ service: 'svc', workspace_id: 'ws', resource_id: 'r2', team: 'x' });
    expect(validateEntry(parsed)).toMatchObject({ ok: true, entry: { channel: 'logs:svc:ws:r2' } });
  });

  it.each([
    ['no channel parts', { message: 'm' }],
    ['bad workspace', { workspace_id: 'a b', resource_id: 'r', message: 'm' }],
    ['bad channel', { channel: 'logs:a:b', message: 'm' }],
    ['message not a string', { channel: 'logs:a:b:c', message: 42 }],
    ['unknown level', { channel: 'logs:a:b:c', message: 'm', level: 'loud' }],
    ['unknown type', { channel: 'logs:a:b:c', type: 'metric' }],
    ['status without phase', { channel: 'logs:a:b:c', type: 'status' }],
    ['progress over 100', { channel: 'logs:a:b:c', type: 'status', phase: 'p', progress: 101 }],
    ['timestamp of the wrong type', { channel: 'logs:a:b:c', message: 'm', timestamp: {} }],
    ['message over the gateway limit', { channel: 'logs:a:b:c', message: 'x'.repeat(1_000_001) }],
    ['toJSON that returns a string', { channel: 'logs:a:b:c', message: 'm', toJSON: () => 'x' }],
  ])('refuses an entry with %s', (_, entry) => {
    expect(lineOf(new EntryEncoder('svc', {}, now), entry)).toBeUndefined();
  });

  it('agrees with validateEntry on what it accepts (property)', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/);
    const entry = fc.record(
      {
        workspace_id: segment,
        resource_id: segment,
        level: fc.constantFrom('info', 'WARN', 'err', 30, 50, '60'),
        message: fc.string(),
        extra: fc.jsonValue(),
      },
      { requiredKeys: ['workspace_id', 'resource_id', 'message'] },
    );
    fc.assert(
      fc.property(entry, (input) => {
        const line = lineOf(new EntryEncoder('svc', {}, now), input);
        expect(typeof line).toBe('string');
        expect(line).not.toContain('\n');
        expect(validateEntry(JSON.parse(line!)).ok).toBe(true);
      }),
    );
  });

  it('checks every new level, also right after one it accepted', () => {
    const encoder = new EntryEncoder('svc', { workspace_id: 'ws', resource_id: 'r1' }, now);
    const levels = ['info', 'info', 'nope', 'WARN', 30, 7, 'info', {}];
    expect(levels.map((level) => lineOf(encoder, { message: 'm', level }) !== undefined)).toEqual([
      true,
      true,
      false,
      true,
      true,
      false,
      true,
      false,
    ]);
  });

  it('writes what JSON.stringify writes, field by field or whole, whatever the keys and values (property)', () => {
    const hostile = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom(
        '',
        '\ud800',
        'a\udfff',
        '\ud83d\ude00',
        '\u2028',
        '"\\\n\t\u0000\u001f\u007f',
        'é€',
        'x'.repeat(33),
      ),
      fc.string({ unit: fc.constantFrom('a', 'é', '€', '\ud800', '😀', '"', '\\', '\n'), maxLength: 40 }),
    );
    const flat = fc.oneof(
      hostile,
      fc.double(),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      fc.constantFrom(
        -0,
        2 ** 31,
        -(2 ** 31) - 1,
        Number.MAX_SAFE_INTEGER,
        1e21,
        1.5e-7,
        Number.NaN,
        -Infinity,
      ),
      fc.boolean(),
      fc.constantFrom(null, undefined, () => 1, Symbol('s')),
    );
    const value = fc.oneof(
      { weight: 8, arbitrary: flat },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    );
    const entry = fc
      .tuple(fc.dictionary(hostile, value, { maxKeys: 8 }), fc.constantFrom('log', 'status'))
      .map(([fields, type]) => ({
        ...fields,
        workspace_id: 'ws-1',
        resource_id: 'run-1',
        ...(type === 'status' ? { type, phase: 'p' } : { message: String(fields.message ?? 'm') }),
      }));
    fc.assert(
      fc.property(entry, fc.boolean(), (input, stamped) => {
        const encoder = new EntryEncoder('svc', { team: 'é' }, now);
        const given = stamped ? input : { ...input, timestamp: 5 };
        const line = lineOf(encoder, given);
        expect(line).toBe(spliceLine(encoder.head, encoder.stamp, JSON.stringify(given)));
      }),
      { numRuns: 500 },
    );
  });

  it('checks each new value of a field again, also after the same keys passed (property)', () => {
    const pick = fc.constantFrom(
      'plain',
      'a"b',
      'é',
      'line\nbreak',
      '\ud800',
      'x'.repeat(40),
      `${'x'.repeat(40)}\\`,
    );
    // Seven shapes, more than the encoder remembers, one of them with a key that needs escaping.
    const entries = fc.array(
      fc
        .tuple(
          fc.record({ a: pick, b: fc.oneof(pick, fc.integer(), fc.constant(undefined)), message: pick }),
          fc.integer({ min: 0, max: 6 }),
        )
        .map(([{ a, b, message }, shape]) => ({ [shape === 6 ? 'k"' : `a${shape}`]: a, b, message })),
      { minLength: 1, maxLength: 40 },
    );
    fc.assert(
      fc.property(entries, (list) => {
        const encoder = new EntryEncoder('svc', { workspace_id: 'ws', resource_id: 'r' }, now);
        for (const fields of list) {
          const line = lineOf(encoder, fields);
          expect(line).toBe(spliceLine(encoder.head, encoder.stamp, JSON.stringify(fields)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('snapshots the entry: a caller that reuses one object gets each state of it sent', () => {
    const encoder = new EntryEncoder('svc', {}, now);
    const queue = new EntryQueue(4);
    const reused: Record<string, unknown> = { workspace_id: 'ws', resource_id: 'r', message: 'first', n: 1 };
    for (const [message, n] of [
      ['first', 1],
      ['second', 2.5],
      ['third', { nested: true }],
    ] as const) {
      reused.message = message;
      reused.n = n;
      queue.commit(encoder.encode(reused, queue.parts), encoder.head, encoder.stamp);
    }
    reused.message = 'changed after publish';
    const batch = queue.take(10, 1 << 30)!;
    const lines = Buffer.concat(batch.slice(0, batch.length)).toString('utf8').split('\n');
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([
      { message: 'first', n: 1 },
      { message: 'second', n: 2.5 },
      { message: 'third', n: { nested: true } },
    ]);
  });

  it('reads objects JSON.stringify treats apart as JSON.stringify does', () => {
    class Event {
      constructor(readonly message: string) {}
      get workspace_id() {
        return 'ws';
      }
    }
    const boxed = Object.assign(Object(5), { channel: 'logs:a:b:c', message: 'm' });
    Object.setPrototypeOf(boxed, Object.prototype);
    const cases: unknown[] = [
      Object.assign(new Event('m'), { resource_id: 'r', channel: 'logs:a:b:c' }),
      Object.assign(Object.create(null), { channel: 'logs:a:b:c', message: 'm', at: new Date(0) }),
      { channel: 'logs:a:b:c', message: 'm', toJSON: () => ({ channel: 'logs:a:b:c', message: 'swapped' }) },
      { channel: 'logs:a:b:c', message: 'm', big: 1n },
      boxed,
    ];
    for (const entry of cases) {
      const encoder = new EntryEncoder('svc', {}, now);
      let expected: string | undefined;
      try {
        const json = JSON.stringify(entry);
        expected = json.startsWith('{') ? spliceLine('{', now(), json) : undefined;
      } catch {
        expected = undefined;
      }
      let line: string | undefined;
      try {
        line = lineOf(encoder, entry);
      } catch {
        line = undefined;
      }
      expect(line).toBe(expected);
    }
  });
});
