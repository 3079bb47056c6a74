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

describe('createSseParser against eventsource-parser', () => {
  const value = fc.stringMatching(/^[a-z0-9 :{}"é😀\u2028-]{0,12}$/u);
  const field = fc.oneof(
    value.map((v) => `data: ${v}`),
    value.map((v) => `data:${v}`),
    fc.constant('data'),
    value.map((v) => `event: ${v}`),
    fc.constant('event'),
    value.map((v) => `id: ${v}`),
    fc.constant('id'),
    fc.nat(100_000).map((n) => `retry: ${n}`),
    value.map((v) => `retry: ${v}`),
    value.map((v) => `:${v}`),
    value.map((v) => `other: ${v}`),
    // Names one letter away from a field's, which the parser compares code by code.
    fc
      .constantFrom(
        'd',
        'dat',
        'datum',
        'dataa',
        'ev',
        'even',
        'events',
        'evxnt',
        'i',
        'idx',
        'retr',
        'retryy',
        'rxtry',
      )
      .chain((name) =>
        fc.oneof(
          fc.constant(name),
          value.map((v) => `${name}: ${v}`),
        ),
      ),
    // The type the parser names by its literal, and its neighbours.
    fc.constantFrom('log', 'lo', 'logs', 'lg', 'log ', 'Log').map((type) => `event: ${type}`),
    fc.constant(''),
  );

  it('reads any stream, however its lines end and however it is cut, as the library does', async () => {
    const { createParser } = await import('eventsource-parser');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(field, fc.constantFrom('\n', '\r\n', '\r')), { maxLength: 40 }),
        fc.array(fc.nat(2000), { maxLength: 8 }),
        (lines, cuts) => {
          // The library, like the standard, keeps a half-read event until its blank line: so does ours.
          const text = `${lines.map(([line, end]) => line + end).join('')}\n\n`;
          const at = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...at].map((from, i) => text.slice(from, at[i] ?? text.length));

          const expected: [string | undefined, string, string | undefined][] = [];
          const expectedRetries: number[] = [];
          const library = createParser({
            onEvent: (event) => expected.push([event.event || undefined, event.data, event.id]),
            onRetry: (ms) => expectedRetries.push(ms),
          });
          for (const chunk of chunks) library.feed(chunk);

          const ours = parse(chunks);
          expect(ours.events).toEqual(expected);
          expect(ours.retries).toEqual(expectedRetries);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('createSseParser on a recorded stream', () => {
  // What a gateway sends (hello, logs, a gap, a status, heartbeats), with a multi-line event and text
  // of two, three and four bytes in UTF-8, so that cuts fall inside characters too.
  const RECORDED =
    'retry: 2000\n\nevent: hello\ndata: {"connectionId":"c1","heartbeatSeconds":15,"channels":[]}\n\n' +
    'id: 1795950000000-0\nevent: log\ndata: {"id":"1795950000000-0","type":"log","channel":"logs:a:b:c","level":"info","message":"é ✓ 😀"}\n\n' +
    ': heartbeat\n\n' +
    'id: 1795950000000-1\nevent: log\ndata: {"id":"1795950000000-1","type":"log",\ndata: "channel":"logs:a:b:c","message":"two lines"}\n\n' +
    'event: gap\ndata: {"channel":"logs:a:b:c","missed":3}\n\n' +
    'id: 1795950000001-0\nevent: logs\ndata: {"not":"a log"}\n\n' +
    'event: status\ndata: {"channel":"logs:a:b:c","state":"done"}\n\n' +
    // A CR that ends what was fed may be half a CRLF: a line after it shows what it was.
    ': end\n';

  it('gives the same events as eventsource-parser, cut into two at every byte, whatever the line ends', async () => {
    const { createParser } = await import('eventsource-parser');
    for (const end of ['\n', '\r\n', '\r']) {
      const bytes = new TextEncoder().encode(RECORDED.replaceAll('\n', end));
      const expected: [string | undefined, string, string | undefined][] = [];
      const library = createParser({
        onEvent: (event) => expected.push([event.event, event.data, event.id]),
      });
      library.feed(new TextDecoder().decode(bytes));
      expect(expected.map(([type]) => type)).toEqual(['hello', 'log', 'log', 'gap', 'logs', 'status']);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const decoder = new TextDecoder();
        const chunks = [bytes.subarray(0, cut), bytes.subarray(cut)].map((part) =>
          decoder.decode(part, { stream: true }),
        );
        const ours = parse(chunks);
        expect(ours.events, `cut at byte ${cut}`).toEqual(expected);
        expect(ours.retries).toEqual([2000]);
      }
    }
  });

  it('names the log type by the literal the client compares with', () => {
    const { events } = parse([RECORDED]);
    expect(events[1]![0]).toBe('log');
    expect(events[4]![0]).toBe('logs');
  });
});
