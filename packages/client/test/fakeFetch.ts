/**
 * A `fetch` whose answers the test writes, for tests under fake timers where a real socket would not
 * move. Each call is recorded with the request it carried and the (fake) time it was made.
 */
export interface FetchCall {
  url: URL;
  headers: Record<string, string>;
  at: number;
  signal: AbortSignal | undefined;
  /** Answers with an event stream whose chunks the test pushes. */
  open(): void;
  /** Answers with a status and a JSON body. */
  answer(status: number, body?: unknown, headers?: Record<string, string>): void;
  /** Fails as a network error would. */
  fail(): void;
  push(text: string): void;
  pushBytes(bytes: Uint8Array): void;
  end(): void;
}

export function fakeFetch(now: () => number = Date.now) {
  const calls: FetchCall[] = [];
  const fetch = ((input: string | URL | Request, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const signal = init.signal ?? undefined;
      let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
      const encoder = new TextEncoder();
      const abortError = () => new DOMException('aborted', 'AbortError');
      signal?.addEventListener('abort', () => {
        reject(abortError());
        try {
          controller?.error(abortError());
        } catch {
          // already closed
        }
      });
      calls.push({
        url: new URL(String(input)),
        headers: Object.fromEntries(new Headers(init.headers).entries()),
        at: now(),
        signal,
        open() {
          const body = new ReadableStream<Uint8Array>({
            start(c) {
              controller = c;
            },
          });
          resolve(new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }));
        },
        answer(status, body, headers = {}) {
          const text = body === undefined ? null : JSON.stringify(body);
          resolve(
            new Response(text, { status, headers: { 'content-type': 'application/json', ...headers } }),
          );
        },
        fail() {
          reject(new TypeError('fetch failed'));
        },
        push(text) {
          controller?.enqueue(encoder.encode(text));
        },
        pushBytes(bytes) {
          controller?.enqueue(bytes);
        },
        end() {
          controller?.close();
        },
      });
    })) as typeof globalThis.fetch;
  return { fetch, calls };
}
