import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pushToRing, ringEvicted, ringSnapshot, type SnapshotRing } from '../src/snapshotRing';

function ring<T>(capacity: number): SnapshotRing<T> {
  return { capacity, items: [], pushed: 0 };
}

describe('SnapshotRing', () => {
  it('keeps the newest `capacity` items, oldest first, and counts what it pushed out', () => {
    const buffer = ring<number>(3);
    for (let i = 1; i <= 5; i++) pushToRing(buffer, i);
    expect(ringSnapshot(buffer)).toEqual([3, 4, 5]);
    expect(ringEvicted(buffer)).toBe(2);
  });

  it('hands out the same frozen snapshot until it changes', () => {
    const buffer = ring<number>(4);
    pushToRing(buffer, 1);
    const first = ringSnapshot(buffer);
    expect(ringSnapshot(buffer)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    pushToRing(buffer, 2);
    const second = ringSnapshot(buffer);
    expect(second).not.toBe(first);
    expect(first).toEqual([1]);
    expect(second).toEqual([1, 2]);
  });

  it('matches a plain array model for any sequence of pushes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer(), { maxLength: 100 }),
        (capacity, items) => {
          const buffer = ring<number>(capacity);
          for (const item of items) pushToRing(buffer, item);
          expect(ringSnapshot(buffer)).toEqual(items.slice(Math.max(0, items.length - capacity)));
          expect(ringEvicted(buffer)).toBe(Math.max(0, items.length - capacity));
        },
      ),
    );
  });
});
