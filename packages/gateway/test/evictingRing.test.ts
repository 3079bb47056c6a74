import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EvictingRing } from '../src/store/memory/evictingRing';

describe('EvictingRing', () => {
  it('behaves like a bounded array queue through growth, wrap-around and shifts', () => {
    const op = fc.oneof(fc.record({ push: fc.integer() }), fc.constant({ shift: true as const }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(op, { maxLength: 300 }), (capacity, ops) => {
        const ring = new EvictingRing<number>(capacity);
        const model: number[] = [];
        for (const o of ops) {
          if ('push' in o) {
            model.push(o.push);
            const evicted = model.length > capacity ? model.shift() : undefined;
            expect(ring.push(o.push)).toBe(evicted);
          } else {
            expect(ring.shift()).toBe(model.shift());
          }
          expect(ring.size).toBe(model.length);
          expect(Array.from({ length: ring.size }, (_, i) => ring.at(i))).toEqual(model);
        }
      }),
    );
  });
});
