import type { ErrorBody } from '@logs-sse/protocol';
import { errorCodeForStatus, LogsClientError } from './errors';

/** Receives what one connection reads. */
export interface StreamSink {
  /** The server answered with an event stream. */
  open(): void;
  /** One network chunk, decoded, and its size in bytes. */
  chunk(text: string, bytes: number): void;
}

/**
 * Opens one `fetch` stream and pumps it into `sink` until it ends. Never rejects: resolves to the error
 * when retrying cannot help, otherwise to the least delay before the next attempt in milliseconds (the
 * server's `Retry-After` on a 5xx, 408 or 429; `0` after a network failure or an end of stream).
 * Aborting `init.signal` ends it like a network failure.
 */
export async function runStream(
  fetchFn: typeof fetch,
  url: string,
  init: RequestInit,
  sink: StreamSink,
): Promise<LogsClientError | number> {
  try {
    const response = await fetchFn(url, init);
    const { status, body } = response;
    if (!response.ok) {
      const code = errorCodeForStatus(status);
      if (code === undefined) {
        await body?.cancel();
        return Number(response.headers.get('retry-after')) * 1000 || 0;
      }
      // Read leniently: the detail only enriches the error, whose own `code` comes from the status.
      const detail = ((await response.json().catch(noop)) as Partial<ErrorBody> | undefined)?.error;
      const message = `stream refused: ${status}${detail ? ` ${detail.code}: ${detail.message}` : ''}`;
      return new LogsClientError(code, status, message, detail?.code);
    }
    if (!response.headers.get('content-type')?.startsWith('text/event-stream') || body === null) {
      await body?.cancel();
      return new LogsClientError('not_event_stream', status, 'not an event stream: check the url');
    }
    sink.open();
    const reader = body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return 0;
      sink.chunk(decoder.decode(value, { stream: true }), value.byteLength);
    }
  } catch {
    // A network failure, a reset or an abort: the stream is over and the caller decides about retrying.
    return 0;
  }
}

function noop(): void {}
