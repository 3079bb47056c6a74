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
    let colon = text.indexOf(':', start);
    if (colon < 0 || colon > end) colon = end;
    // The field's name is compared in place: slicing it out would cost a string per line.
    const length = colon - start;
    // A comment (`: heartbeat`) has none; no field's name is one letter long.
    if (length < 2) return;
    const value =
      colon === end ? '' : text.slice(text.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1, end);
    if (length === 4 && text.startsWith('data', start)) {
      data = dataLines++ === 0 ? value : `${data}\n${value}`;
    } else if (length === 5 && text.startsWith('event', start)) {
      type = value || undefined;
    } else if (length === 2 && text.startsWith('id', start)) {
      if (!value.includes('\0')) id = value;
    } else if (length === 5 && text.startsWith('retry', start) && /^\d+$/.test(value)) {
      onRetry(+value);
    }
  }

  return {
    feed(chunk) {
      // Most of a long event: kept, not scanned again and again.
      if (rest !== '' && !/[\r\n]/.test(chunk)) {
        rest += chunk;
      } else {
        let text = rest + chunk;
        // A CR that ends the text may be the first half of a CRLF: it waits for the next chunk.
        const held = text.endsWith('\r') ? '\r' : '';
        if (text.includes('\r')) text = text.slice(0, text.length - held.length).replace(/\r\n?/g, '\n');
        let at = 0;
        for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', at)) {
          line(text, at, end);
          at = end + 1;
        }
        rest = text.slice(at) + held;
      }
      if (rest.length + data.length > maxBufferSize) {
        reset();
        onOverflow();
      }
    },
    reset,
  };
}
