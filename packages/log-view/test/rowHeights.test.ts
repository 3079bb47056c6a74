import { describe, expect, it } from 'vitest';
import { RowHeights } from '../src/rowHeights';
import { entry } from './entries';

describe('RowHeights', () => {
  const heightOf = (e: { message: string }) => e.message.length;
  const list = Array.from({ length: 1500 }, (_, i) => entry('x'.repeat((i % 7) + 1)));

  it('keeps the heights in step with a list that drops its oldest rows and appends new ones', () => {
    const rows = new RowHeights();
    let calls = 0;
    const counted = (e: { message: string }) => {
      calls++;
      return heightOf(e);
    };
    rows.update(list.slice(0, 1000), counted);
    expect(calls).toBe(1000);
    const next = list.slice(300, 1400);
    const heights = rows.update(next, counted);
    // Only the 400 new rows were computed; the rest moved.
    expect(calls).toBe(1400);
    expect(Array.from(heights.subarray(0, next.length))).toEqual(next.map(heightOf));
  });

  it('computes every row again for another list or another height rule', () => {
    const rows = new RowHeights();
    rows.update(list.slice(0, 10), heightOf);
    const other = [entry('abc'), entry('de')];
    expect(Array.from(rows.update(other, heightOf).subarray(0, 2))).toEqual([3, 2]);
    expect(Array.from(rows.update(other, (e) => e.message.length * 10).subarray(0, 2))).toEqual([30, 20]);
  });
});
