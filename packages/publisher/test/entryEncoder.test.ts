import { validateEntry } from '@logs-sse/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntryEncoder, spliceLine } from '../src/entryEncoder';

const now = () => 1_700_000_000_000;

/** The line the background loop will send for `entry`. */
function lineOf(encoder: EntryEncoder, entry: unknown): string | undefined {
  const json = encoder.encode(entry);
  return json === undefined ? undefined : spliceLine(encoder.head, encoder.stamp, json);
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
    expect(levels.map((level) => encoder.encode({ message: 'm', level }) !== undefined)).toEqual([
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
});
