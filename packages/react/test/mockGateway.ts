import { compareCursors, type LogEntry, type StatusEntry } from '@logs-sse/protocol';
import { waitFor } from '@testing-library/react';
import { sse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';

export const GATEWAY = 'http://gateway.test';

interface OpenStream {
  url: URL;
  headers: Headers;
  send(event: 'log' | 'status' | 'done', data: LogEntry | StatusEntry | Record<string, unknown>): void;
  close(): void;
  closed: boolean;
}

/**
 * A gateway imitated with msw: every stream request is recorded and can be fed events by the test.
 * Call once per test file: it starts msw for the file and resets everything it recorded, the page's
 * storage and spies after each test.
 */
export function createMockGateway() {
  const streams: OpenStream[] = [];
  let history: LogEntry[] = [];
  let next = 1;
  const server = setupServer(
    sse<{ hello: string; history: string; log: string; status: string; done: string }>(
      `${GATEWAY}/api/logs/stream`,
      ({ client, request }) => {
        const stream: OpenStream = {
          url: new URL(request.url),
          headers: request.headers,
          closed: false,
          send: (event, data) =>
            client.send({ id: (data as { id: string }).id, event, data: JSON.stringify(data) }),
          close: () => {
            stream.closed = true;
            client.close();
          },
        };
        request.signal.addEventListener('abort', () => {
          stream.closed = true;
        });
        streams.push(stream);
        client.send({
          event: 'hello',
          data: JSON.stringify({ connectionId: `c${streams.length}`, heartbeatSeconds: 15, channels: [] }),
        });
        // `history=<channel>~<tail or cursor>`: the channel's kept entries, as the gateway sends them.
        for (const item of stream.url.searchParams.get('history')?.split(',') ?? []) {
          const [channel, from] = item.split('~') as [string, string];
          const kept = history.filter((entry) => entry.channel === channel);
          const logs = from.includes('-')
            ? kept.filter((entry) => compareCursors(entry.id, from) > 0)
            : kept.slice(-Number(from));
          client.send({ event: 'history', data: JSON.stringify({ channel, logs }) });
        }
      },
    ),
  );

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    streams.length = 0;
    history = [];
    sessionStorage.clear();
    vi.restoreAllMocks();
  });
  afterAll(() => server.close());

  const open = () => streams.filter((stream) => !stream.closed);
  return {
    server,
    streams,
    /** Streams still open. */
    open,
    /** Waits until exactly `count` streams are open; returns the newest. */
    async openStream(count = 1): Promise<OpenStream> {
      await waitFor(() => expect(open()).toHaveLength(count));
      return open()[count - 1]!;
    },
    setHistory(entries: LogEntry[]) {
      history = entries;
    },
    /** A log entry with the next cursor. */
    log(channel: string, message: string, level: LogEntry['level'] = 'info'): LogEntry {
      const id = `${1_700_000_000_000 + next}-0`;
      next++;
      return {
        id,
        type: 'log',
        channel,
        timestamp: new Date(1_700_000_000_000 + next).toISOString(),
        level,
        message,
      };
    },
  };
}
