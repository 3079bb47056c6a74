import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createUtf8Decoder } from '../src/utf8Decoder';

const bytes = (...values: number[]) => new Uint8Array(values);

/** What the client read before: one `TextDecoder` per body, each chunk decoded with `stream: true`. */
function streamed(chunks: readonly Uint8Array[]): string[] {
  const decoder = new TextDecoder();
  return chunks.map((chunk) => decoder.decode(chunk, { stream: true }));
}

function decoded(chunks: readonly Uint8Array[]): string[] {
  const decode = createUtf8Decoder();
  return chunks.map((chunk) => decode(chunk));
}

/** The text up to its last line end: all the SSE parser can act on. */
const lines = (text: string) => text.slice(0, text.lastIndexOf('\n') + 1);

describe('createUtf8Decoder', () => {
  it('holds a character cut by the end of a chunk until the rest of it comes', () => {
    const euro = [0xe2, 0x82, 0xac];
    const face = [0xf0, 0x9f, 0x98, 0x80];
    const text = new TextEncoder().encode('é€😀\n');
    for (let cut = 0; cut <= text.length; cut++) {
      expect(decoded([text.subarray(0, cut), text.subarray(cut)]).join(''), `cut at ${cut}`).toBe('é€😀\n');
    }
    expect(decoded([bytes(0x61, euro[0]!), bytes(euro[1]!), bytes(euro[2]!, 0x62)])).toEqual(['a', '', '€b']);
    expect(decoded([bytes(...face.slice(0, 3)), bytes(face[3]!)])).toEqual(['', '😀']);
  });

  it('drops a byte order mark that starts the body, and only that one', () => {
    const bom = [0xef, 0xbb, 0xbf];
    expect(decoded([bytes(...bom, 0x61, ...bom)]).join('')).toBe('a\ufeff');
    expect(decoded([bytes(bom[0]!, bom[1]!), bytes(bom[2]!, 0x61), bytes(...bom, 0x62)]).join('')).toBe(
      'a\ufeffb',
    );
    expect(decoded([bytes(0x61), bytes(...bom)]).join('')).toBe('a\ufeff');
  });

  it('reads any bytes, however cut, as a TextDecoder with `stream: true` does', () => {
    // ASCII, line ends, the starts and middles of two-, three- and four-byte characters, a byte order
    // mark, and bytes that are never UTF-8 or only in some places (0xc0, 0xf8, 0xe0 0x80, 0xed 0xa0).
    const byte = fc.constantFrom(
      0x61,
      0x0a,
      0xc3,
      0xa9,
      0xe2,
      0x82,
      0xac,
      0xf0,
      0x9f,
      0x98,
      0x80,
      0xef,
      0xbb,
      0xbf,
      0xc0,
      0xf8,
      0xe0,
      0xed,
      0xa0,
      0xf4,
      0x90,
      0xff,
    );
    fc.assert(
      fc.property(
        fc.array(byte, { maxLength: 60 }),
        fc.array(fc.nat(60), { maxLength: 8 }),
        (values, cuts) => {
          const all = new Uint8Array(values);
          const at = [...new Set(cuts.map((cut) => cut % (all.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...at].map((from, i) => all.subarray(from, at[i] ?? all.length));
          const ours = decoded(chunks);
          const theirs = streamed(chunks);
          // After each chunk, the same complete lines: a held character never holds up a line end.
          for (let i = 1; i <= chunks.length; i++) {
            expect(lines(ours.slice(0, i).join(''))).toBe(lines(theirs.slice(0, i).join('')));
          }
          // And once a line end follows, the same text.
          const end = bytes(0x0a);
          expect(decoded([...chunks, end]).join('')).toBe(streamed([...chunks, end]).join(''));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
