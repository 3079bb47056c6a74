import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../src/ringBuffer';

describe('RingBuffer', () => {
  it('keeps the newest `capacity` items, oldest first, and counts what it pushed out', () => {
    const buffer = new RingBuffer<number>(3);
    for (let i = 1; i <= 5; i++) buffer.push(i);
    expect(buffer.snapshot()).toEqual([3, 4, 5]);
    expect(buffer.size).toBe(3);
    expect(buffer.evicted).toBe(2);
  });

  it('hands out the same frozen snapshot until it changes', () => {
    const buffer = new RingBuffer<number>(4);
    buffer.push(1);
    const first = buffer.snapshot();
    expect(buffer.snapshot()).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    buffer.push(2);
    const second = buffer.snapshot();
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
          const buffer = new RingBuffer<number>(capacity);
          for (const item of items) buffer.push(item);
          expect(buffer.snapshot()).toEqual(items.slice(Math.max(0, items.length - capacity)));
          expect(buffer.evicted).toBe(Math.max(0, items.length - capacity));
        },
      ),
    );
  });
});
