import { describe, expect, it } from 'vitest';
import { filterEntries } from '../src/filter';
import { findMatches, indexMatches, locateMatch, matchCount, searchPattern } from '../src/search';
import { entry } from './entries';

describe('search', () => {
  it('finds the query literally and case-insensitively, in the text a reader sees', () => {
    const pattern = searchPattern('a.b')!;
    expect(findMatches('A.B axb a.b', pattern)).toEqual([
      [0, 3],
      [8, 11],
    ]);
    expect(searchPattern('')).toBeUndefined();
    // Escape codes are not searched: `31m` is no match in a coloured message.
    const coloured = entry('\x1b[31mred\x1b[0m alert');
    expect(matchCount(coloured, searchPattern('31m')!, new WeakMap())).toBe(0);
    expect(matchCount(coloured, searchPattern('RED ALERT')!, new WeakMap())).toBe(1);
  });

  it('counts matches over the entries and locates each by its number', () => {
    const entries = [entry('needle and needle'), entry('hay'), entry('one needle')];
    const index = indexMatches(entries, searchPattern('needle'), new WeakMap());
    expect(index).toEqual({ total: 3, rows: [0, 2], before: [0, 2] });
    expect(locateMatch(index, 0)).toEqual({ row: 0, nth: 0 });
    expect(locateMatch(index, 1)).toEqual({ row: 0, nth: 1 });
    expect(locateMatch(index, 2)).toEqual({ row: 2, nth: 0 });
    expect(locateMatch(index, 3)).toBeUndefined();
  });

  it('counts each entry once per pattern, however many batches pass', () => {
    const cache = new WeakMap();
    const pattern = searchPattern('x')!;
    const first = entry('x');
    indexMatches([first], pattern, cache);
    cache.set(first, 7); // what is cached is what is read back
    expect(indexMatches([first, entry('xx')], pattern, cache).total).toBe(9);
  });
});

describe('filterEntries', () => {
  const entries = [
    entry('a', { level: 'debug' }),
    entry('b', { level: 'warn' }),
    entry('c', { level: 'error' }),
    entry('d', { level: 'info' }),
  ];

  it('keeps the entries at or above the level, and returns the same array when all pass', () => {
    expect(filterEntries(entries, { level: 'warn' }).map((e) => e.message)).toEqual(['b', 'c']);
    expect(filterEntries(entries, { level: 'trace' })).toBe(entries);
    expect(filterEntries(entries, { level: 'debug', keep: () => true })).toBe(entries);
  });

  it('combines the level with a predicate', () => {
    const kept = filterEntries(entries, { level: 'info', keep: (e) => e.message !== 'c' });
    expect(kept.map((e) => e.message)).toEqual(['b', 'd']);
  });
});
