/** Receives each event of a stream: its type (`undefined` when it named none), data and own `id`. */
export type SseEventHandler = (type: string | undefined, data: string, id: string | undefined) => void;

/** Feeds decoded text to the parser; `reset` forgets any half-read event, for the next connection. */
export interface SseParser {
  feed(text: string): void;
  reset(): void;
}

/**
 * A reader of `text/event-stream` as the WHATWG HTML standard defines it (lines ended by LF, CRLF or CR;
 * `data` lines joined; comments and unknown fields ignored; a `retry` of digits only), with one departure
 * the client relies on: `id` is the event's own, not carried over to the events after it.
 *
 * The client's own rather than a library's: it needs a tenth of a general parser (no callbacks for
 * comments or unknown fields, no error objects), and the difference pays for the long-poll fallback in
 * the core bundle. A line that passes `maxBufferSize` characters unfinished ends the stream
 * (`onOverflow`): no entry a gateway accepts is that large.
 */
export function createSseParser(
  onEvent: SseEventHandler,
  onRetry: (ms: number) => void,
  onOverflow: () => void,
  maxBufferSize: number,
): SseParser {
  /** The unfinished last line of what was fed. */
  let rest = '';
  let type: string | undefined;
  let id: string | undefined;
  let data = '';
  let dataLines = 0;

  function reset(): void {
    rest = data = '';
    type = id = undefined;
    dataLines = 0;
  }

  function line(text: string, start: number, end: number): void {
    if (start === end) {
      if (dataLines > 0) onEvent(type, data, id);
      data = '';
      type = id = undefined;
      dataLines = 0;
      return;
    }
    // The four fields start with four different letters: the first tells which name to compare, in
    // place, code by code (slicing the name out would cost a string per line; `startsWith` costs a call
    // where `charCodeAt` is inlined). A comment (`: heartbeat`) or an unknown field matches no name, or
    // has no colon right after it.
    const first = text.charCodeAt(start);
    const name =
      first === 100 ? 'data' : first === 101 ? 'event' : first === 105 ? 'id' : first === 114 ? 'retry' : '';
    const colon = start + name.length;
    if (!name || !at(text, start, name) || (colon < end && text.charCodeAt(colon) !== 58)) return;
    const from = colon === end ? end : text.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1;
    if (name === 'data') {
      const value = text.slice(from, end);
      data = dataLines++ === 0 ? value : `${data}\n${value}`;
    } else if (name === 'event') {
      // Nearly every event is a `log`: named by the literal rather than a slice, it is compared with
      // the client's constants as one pointer, not character by character.
      type = end - from === 3 && at(text, from, 'log') ? 'log' : text.slice(from, end) || undefined;
    } else {
      const value = text.slice(from, end);
      if (name === 'id') {
        if (!value.includes('\0')) id = value;
      } else if (/^\d+$/.test(value)) {
        onRetry(+value);
      }
    }
  }

  /** Reads the complete lines of `text` (which starts a line) and keeps what follows the last one. */
  function read(text: string): void {
    // A CR that ends the text may be the first half of a CRLF: it waits for the next chunk.
    const held = text.endsWith('\r') ? '\r' : '';
    if (text.includes('\r')) text = text.slice(0, text.length - held.length).replace(/\r\n?/g, '\n');
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; ) {
      line(text, start, end);
      start = end + 1;
      // The blank line that ends an event most often comes next: found without a search.
      end = text.charCodeAt(start) === 10 ? start : text.indexOf('\n', start);
    }
    rest = text.slice(start) + held;
  }

  return {
    feed(chunk) {
      // The unfinished line of the last chunk is joined with this chunk's first line only: joining it
      // with the whole chunk would copy every chunk once more (a chunk is mostly whole lines).
      while (rest !== '') {
        const end = chunk.search(/[\r\n]/) + 1;
        // Most of a long event: kept, not scanned again and again.
        if (end === 0) {
          rest += chunk;
          chunk = '';
          break;
        }
        const head = rest + chunk.slice(0, end);
        chunk = chunk.slice(end);
        read(head);
      }
      if (chunk !== '') read(chunk);
      if (rest.length + data.length > maxBufferSize) {
        reset();
        onOverflow();
      }
    },
    reset,
  };
}

/** Whether `word` is written in `text` at `start`. */
function at(text: string, start: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if (text.charCodeAt(start + i) !== word.charCodeAt(i)) return false;
  return true;
}
