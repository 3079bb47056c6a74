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

  /** Reads the complete lines of `text` (which starts a line) and keeps what follows the last one. */
  function read(text: string): void {
    // A CR that ends the text may be the first half of a CRLF: it waits for the next chunk.
    const held = text.endsWith('\r') ? '\r' : '';
    if (text.includes('\r')) text = text.slice(0, text.length - held.length).replace(/\r\n?/g, '\n');
    // An id with a NUL in it is ignored: one search of the whole text spares a search of each id.
    const nul = text.includes('\0');
    let start = 0;
    // Every line is read here, in one loop: a call per line cost more than the line's own work.
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      if (start === end) {
        if (dataLines > 0) onEvent(type, data, id);
        data = '';
        type = id = undefined;
        dataLines = 0;
      } else {
        // The four fields start with four different letters: the first tells which name to compare,
        // in place, with constants (a loop over the name's codes took 5% of the client's time). A
        // comment (`: heartbeat`) or an unknown field matches no name, or has no colon right after it.
        const first = text.charCodeAt(start);
        const colon =
          first === 100 && codes(text, start + 1, 97, 116, 97)
            ? start + 4
            : first === 101 && codes(text, start + 1, 118, 101, 110) && text.charCodeAt(start + 4) === 116
              ? start + 5
              : first === 105 && text.charCodeAt(start + 1) === 100
                ? start + 2
                : first === 114 && codes(text, start + 1, 101, 116, 114) && text.charCodeAt(start + 4) === 121
                  ? start + 5
                  : 0;
        if (colon && (colon === end || text.charCodeAt(colon) === 58)) {
          const from = colon === end ? end : text.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1;
          if (first === 101) {
            // Nearly every event is a `log`: named by the literal rather than a slice, it is compared
            // with the client's constants as one pointer, not character by character.
            type =
              end - from === 3 && codes(text, from, 108, 111, 103)
                ? 'log'
                : text.slice(from, end) || undefined;
          } else {
            const value = text.slice(from, end);
            if (first === 100) {
              if (dataLines === 0 && text.charCodeAt(end + 1) === 10) {
                // One line of data and the blank line that ends the event, the common case: dispatched
                // at once, without a pass of the loop for the blank line.
                onEvent(type, value, id);
                type = id = undefined;
                end++;
              } else {
                data = dataLines++ === 0 ? value : `${data}\n${value}`;
              }
            } else if (first === 105) {
              if (!nul || !value.includes('\0')) id = value;
            } else if (/^\d+$/.test(value)) {
              onRetry(+value);
            }
          }
        }
      }
      start = end + 1;
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

/** Whether the three codes from `at` in `text` are `a`, `b` and `c`. */
function codes(text: string, at: number, a: number, b: number, c: number): boolean {
  return text.charCodeAt(at) === a && text.charCodeAt(at + 1) === b && text.charCodeAt(at + 2) === c;
}
