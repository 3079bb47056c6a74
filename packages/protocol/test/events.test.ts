import { describe, expect, it } from 'vitest';
import { isPublisherId, withinDepth } from '../src/index';

describe('isPublisherId', () => {
  it('accepts 1 to 128 printable ASCII characters and nothing else', () => {
    expect(isPublisherId('etl-worker-7f3a')).toBe(true);
    expect(isPublisherId('x'.repeat(128))).toBe(true);
    for (const value of ['', 'x'.repeat(129), 'a b', 'a\nb', 'é', 'a\r\nx-evil: 1', 7, null, undefined, {}]) {
      expect(isPublisherId(value)).toBe(false);
    }
  });
});

describe('withinDepth', () => {
  it('measures nesting of objects and arrays without recursion', () => {
    expect(withinDepth({ a: { b: [1, { c: 2 }] } }, 4)).toBe(true);
    expect(withinDepth({ a: { b: [1, { c: 2 }] } }, 3)).toBe(false);
    expect(withinDepth('text')).toBe(true);
    expect(withinDepth(null)).toBe(true);
    const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`);
    expect(withinDepth(deep)).toBe(false);
  });
});
