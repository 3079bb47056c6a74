import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CursorClock, compareCursors, cursorTime, isCursor } from '../src/index';

describe('cursors', () => {
  it('increase strictly even when the clock stands still or steps back', () => {
    const times = [1000, 1000, 1000, 999, 500, 1001, 1001];
    const clock = new CursorClock(() => times.shift() ?? 2000);
    const cursors = Array.from({ length: 8 }, () => clock.next());
    expect(cursors).toEqual(['1000-0', '1000-1', '1000-2', '1000-3', '1000-4', '1001-0', '1001-1', '2000-0']);
    for (let i = 1; i < cursors.length; i++) {
      expect(compareCursors(cursors[i - 1]!, cursors[i]!)).toBeLessThan(0);
    }
  });

  it('compare numerically, not as text', () => {
    expect(compareCursors('999-0', '1000-0')).toBeLessThan(0);
    expect(compareCursors('1000-10', '1000-9')).toBeGreaterThan(0);
    expect(compareCursors('1000-1', '1000-1')).toBe(0);
  });

  it('compare like their numbers, whatever the lengths, leading zeros included', () => {
    const part = fc.integer({ min: 0, max: 2 ** 50 });
    const pad = fc.integer({ min: 0, max: 2 });
    const cursor = fc
      .tuple(part, pad, fc.integer({ min: 0, max: 100_000 }), pad)
      .map(([ms, zm, seq, zs]) => ({
        id: `${'0'.repeat(zm)}${ms}-${'0'.repeat(zs)}${seq}`,
        ms,
        seq,
      }));
    fc.assert(
      fc.property(cursor, cursor, (a, b) => {
        const order = Math.sign(a.ms - b.ms || a.seq - b.seq);
        expect(Math.sign(compareCursors(a.id, b.id))).toBe(order);
      }),
      { numRuns: 3000 },
    );
    expect(compareCursors('1000-9', '1000-10')).toBeLessThan(0);
    expect(compareCursors('999-99', '1000-0')).toBeLessThan(0);
    expect(compareCursors('1001-0', '1000-99')).toBeGreaterThan(0);
    expect(compareCursors('0-0', '0-0')).toBe(0);
    expect(compareCursors('007-1', '7-01')).toBe(0);
  });

  it('order any sequence the clock hands out, whatever the clock does', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e13 }), { minLength: 1, maxLength: 200 }), (times) => {
        const queue = [...times];
        const clock = new CursorClock(() => queue.shift() ?? 0);
        let previous = clock.next();
        while (queue.length > 0) {
          const next = clock.next();
          expect(compareCursors(previous, next)).toBeLessThan(0);
          previous = next;
        }
      }),
    );
  });

  it('tell the newest cursor handed out or observed', () => {
    const clock = new CursorClock(() => 0);
    expect(clock.last()).toBeNull();
    expect(clock.next()).toBe('0-0');
    expect(clock.last()).toBe('0-0');
    const restored = new CursorClock(() => 0);
    restored.observe('0-0');
    expect(restored.last()).toBe('0-0');
    expect(restored.next()).toBe('0-1');
  });

  it('move past a cursor observed elsewhere', () => {
    const clock = new CursorClock(() => 5);
    clock.observe('7-3');
    expect(clock.next()).toBe('7-4');
    clock.observe('6-0');
    expect(clock.next()).toBe('7-5');
  });

  it('recognise their own shape only', () => {
    expect(isCursor('1732450000000-0')).toBe(true);
    expect(cursorTime('1732450000000-3')).toBe(1732450000000);
    for (const value of ['', '12', '-1-0', '1-', 'a-b', '1-0\n', '1-0-0', 7, null, `${'9'.repeat(16)}-0`]) {
      expect(isCursor(value)).toBe(false);
    }
  });
});
