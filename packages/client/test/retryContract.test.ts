import { isRetryableStatus } from '@logs-sse/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ClientTimers, createLogsClient, type LogsClient } from '../src/index';
import { CHANNEL_A, LoopbackServer } from './helpers';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const MAX_DELAY_MS = 60_000;

/** Timers that only fire when the test says so; the delays they were asked for stay readable. */
class ManualTimers implements ClientTimers {
  readonly pending = new Map<number, { callback: () => void; ms: number }>();
  private nextId = 1;
  setTimeout = (callback: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.pending.set(id, { callback, ms });
    return id;
  };
  clearTimeout = (handle: unknown): void => {
    this.pending.delete(handle as number);
  };
  /** Fires the one pending timer of `ms`, the way the client's debounce and retry timers are told apart. */
  fire(ms: number): void {
    const [id, timer] = [...this.pending].find(([, pending]) => pending.ms === ms)!;
    this.pending.delete(id);
    timer.callback();
  }
}

let server: LoopbackServer;
let client: LogsClient;
let timers: ManualTimers;

beforeEach(async () => {
  server = await LoopbackServer.start();
  timers = new ManualTimers();
  // No jitter share survives `random: 0`: the backoff is 0 and the wait is what the server asked.
  client = createLogsClient({
    url: server.url,
    timers,
    now: () => NOW,
    random: () => 0,
    reconnect: { maxDelayMs: MAX_DELAY_MS },
  });
});

afterEach(async () => {
  client.close();
  await server.close();
});

/** Subscribes, answers the stream request with `status`, and resolves with where the client ended up. */
async function answer(status: number, headers: Record<string, string> = {}) {
  const settled = new Promise<{ status: string; delay: number | undefined }>((resolve) => {
    client.onConnectionStatus((now) => {
      // The retry timer is set just before the status says `reconnecting`.
      if (now === 'reconnecting') resolve({ status: now, delay: [...timers.pending.values()].at(-1)?.ms });
      if (now === 'error') resolve({ status: now, delay: undefined });
    });
  });
  client.subscribe(CHANNEL_A);
  timers.fire(25);
  const { res } = await server.next();
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ error: { code: 'internal', message: 'x' } }));
  return settled;
}

describe("the client follows the protocol's retry contract", () => {
  it.each([400, 401, 403, 404, 405, 408, 409, 413, 415, 422, 429, 500, 501, 502, 503, 504, 599])(
    'retries %i exactly when isRetryableStatus says so',
    async (status) => {
      const outcome = await answer(status);
      expect(outcome.status).toBe(isRetryableStatus(status) ? 'reconnecting' : 'error');
      expect(client.stats().reconnects).toBe(isRetryableStatus(status) ? 1 : 0);
    },
  );

  it.each([
    ['delay-seconds', '7', 7000],
    ['an HTTP date', new Date(NOW + 9000).toUTCString(), 9000],
    ['an asctime date, read as GMT', 'Thu Jan  1 12:00:05 2026', 5000],
    ['a date in the past', new Date(NOW - 9000).toUTCString(), 0],
    ['a negative number', '-5', 0],
    ['a fraction', '1.5', 0],
    ['text', 'soon', 0],
    ['a huge value, capped at maxDelayMs', '99999999999', MAX_DELAY_MS],
  ])('waits for Retry-After given as %s', async (_, retryAfter, delay) => {
    expect(await answer(503, { 'retry-after': retryAfter })).toEqual({ status: 'reconnecting', delay });
  });
});
