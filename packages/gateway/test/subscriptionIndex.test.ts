import fc from 'fast-check';
import { expect, it } from 'vitest';
import { ChannelPattern } from '../src/patterns';
import { SubscriptionIndex } from '../src/stream/subscriptionIndex';

// Few values per segment, so that random patterns and channels collide often: the cases worth checking
// are the ones where several patterns of several subscribers match one channel.
const segment = fc.constantFrom('a', 'b', 'c');
const patternSegment = fc.oneof(segment, fc.constant('*'));
const channel = fc.tuple(segment, segment, segment).map(([s, w, r]) => `logs:${s}:${w}:${r}`);
const pattern = fc
  .tuple(patternSegment, patternSegment, patternSegment)
  .map(([s, w, r]) => `logs:${s}:${w}:${r}`);
const op = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), sub: fc.nat(5), pattern }),
  fc.record({ kind: fc.constant('delete' as const), sub: fc.nat(5), pattern }),
  fc.record({ kind: fc.constant('match' as const), channel }),
);

/** Subscribers that `index` routes `channel` to, each once. */
function routed(index: SubscriptionIndex<number>, name: string): number[] {
  const out: Set<number>[] = [];
  const found = new Set<number>();
  const count = index.match(name, out);
  for (let i = 0; i < count; i++) for (const sub of out[i]!) found.add(sub);
  return [...found].sort();
}

it('routes every channel to exactly the subscribers a pattern-by-pattern check finds', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const index = new SubscriptionIndex<number>();
      // The reference: every (subscriber, pattern) pair held, checked one by one.
      const held = new Map<string, { sub: number; pattern: ChannelPattern }>();
      for (const step of ops) {
        if (step.kind === 'match') {
          const segments = step.channel.split(':').slice(1);
          const expected = new Set<number>();
          for (const { sub, pattern } of held.values())
            if (pattern.matchesSegments(segments)) expected.add(sub);
          expect(routed(index, step.channel)).toEqual([...expected].sort());
          continue;
        }
        const key = `${step.sub} ${step.pattern}`;
        const p = new ChannelPattern(step.pattern);
        if (step.kind === 'add') {
          index.add(p, step.sub);
          held.set(key, { sub: step.sub, pattern: p });
        } else {
          index.delete(p, step.sub);
          held.delete(key);
        }
      }
      // Whatever remains, deleting it leaves nothing behind.
      for (const { sub, pattern } of held.values()) index.delete(pattern, sub);
      expect(index.nodeCount).toBe(0);
      expect(index.counts()).toEqual({});
    }),
    { numRuns: 500 },
  );
});

it('lists no set twice for one channel, so a match costs at most one exact set and 7 pattern sets', () => {
  const index = new SubscriptionIndex<number>();
  const all = ['a', '*'];
  for (const s of all)
    for (const w of all) for (const r of all) index.add(new ChannelPattern(`logs:${s}:${w}:${r}`), 1);
  const out: Set<number>[] = [];
  expect(index.match('logs:a:a:a', out)).toBe(8);
  expect(new Set(out.slice(0, 8)).size).toBe(8);
  expect(index.match('logs:b:b:b', out)).toBe(1);
});

it('keeps no node for patterns whose subscribers left, however many came and went', () => {
  const index = new SubscriptionIndex<number>();
  const patterns = Array.from({ length: 2000 }, (_, i) => new ChannelPattern(`logs:s${i % 7}:w${i}:*`));
  for (let round = 0; round < 3; round++) {
    for (const [i, p] of patterns.entries()) index.add(p, i % 10);
    expect(index.nodeCount).toBeGreaterThan(2000);
    for (const [i, p] of patterns.entries()) index.delete(p, i % 10);
    expect(index.nodeCount).toBe(0);
  }
  // Deleting what is not held changes nothing.
  index.delete(new ChannelPattern('logs:x:*:*'), 1);
  expect(index.nodeCount).toBe(0);
});

it('hands every subscriber of a channel or pattern one pattern of its own, until all have left', () => {
  const index = new SubscriptionIndex<number>();
  for (const source of ['logs:etl:ws-1:run-1', 'logs:etl:*:*']) {
    const first = new ChannelPattern(source);
    const second = new ChannelPattern(source);
    const held = index.add(first, 1);
    // The index's own copy, not the first subscriber's (whose strings may be cut from its URL).
    expect(held).not.toBe(first);
    expect(held.source).toBe(source);
    expect(held.segments).toEqual(first.segments);
    expect(index.add(second, 2)).toBe(held);
    // Deleted by source: either subscriber's own copy finds the shared entry.
    index.delete(second, 1);
    expect(index.counts()[source]).toBe(1);
    index.delete(first, 2);
    // Once all have left, the next subscriber gets a new one.
    const next = index.add(new ChannelPattern(source), 3);
    expect(next).not.toBe(held);
    expect(routed(index, 'logs:etl:ws-1:run-1')).toEqual([3]);
    index.delete(next, 3);
  }
  expect(index.nodeCount).toBe(0);
});
