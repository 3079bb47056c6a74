import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSseParser } from '../src/sseParser';

function parse(chunks: readonly string[], maxBufferSize = 1e6) {
  const events: [string | undefined, string, string | undefined][] = [];
  const retries: number[] = [];
  let overflows = 0;
  const parser = createSseParser(
    (type, data, id) => events.push([type, data, id]),
    (ms) => retries.push(ms),
    () => overflows++,
    maxBufferSize,
  );
  for (const chunk of chunks) parser.feed(chunk);
  return { events, retries, overflows, parser };
}

const STREAM =
  ': comment\nretry: 2500\nretry: 1e3\n\nevent: log\nid: 1-1\ndata: {"a":1}\n\n' +
  'data:first\ndata: second\nunknown: x\nid\n\nid: bad\0id\nevent\ndata\n\n' +
  // A CR that ends what was fed may be half a CRLF: a line after it shows what it was.
  ': end\n';
const EVENTS = [
  ['log', '{"a":1}', '1-1'],
  [undefined, 'first\nsecond', ''],
  [undefined, '', undefined],
];

describe('createSseParser', () => {
  it('reads fields, comments and retry as the standard says, whatever the line ends', () => {
    for (const end of ['\n', '\r\n', '\r']) {
      const { events, retries } = parse([STREAM.replaceAll('\n', end)]);
      expect(events).toEqual(EVENTS);
      expect(retries).toEqual([2500]);
    }
  });

  it('gives the same events however the text is cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.array(fc.nat({ max: STREAM.length * 2 }), { maxLength: 12 }),
        (end, cuts) => {
          const text = STREAM.replaceAll('\n', end);
          const at = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...at].map((from, i) => text.slice(from, at[i] ?? text.length));
          expect(parse(chunks).events).toEqual(EVENTS);
        },
      ),
    );
  });

  it('gives up on a line longer than the buffer, and starts over after reset', () => {
    const { events, overflows, parser } = parse(['data: ', 'x'.repeat(60), 'x'.repeat(60)], 100);
    expect(overflows).toBe(1);
    expect(events).toEqual([]);
    parser.reset();
    parser.feed('data: ok\n\n');
    expect(events).toEqual([[undefined, 'ok', undefined]]);
  });
});
