import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogsClient, type LogsClient } from '../src/index';
import { type FetchCall, fakeFetch } from './fakeFetch';
import { CHANNEL_A } from './helpers';

/** The browser globals the client listens to, on a plain EventTarget. */
class FakeDocument extends EventTarget {
  visibilityState: 'visible' | 'hidden' = 'visible';
}

let client: LogsClient;
let calls: FetchCall[];
let win: EventTarget;
let doc: FakeDocument;
let nav: { onLine: boolean };

beforeEach(() => {
  vi.useFakeTimers();
  win = new EventTarget();
  doc = new FakeDocument();
  nav = { onLine: true };
  // A page's window is its global object: the client listens on `globalThis`.
  vi.stubGlobal('addEventListener', win.addEventListener.bind(win));
  vi.stubGlobal('removeEventListener', win.removeEventListener.bind(win));
  vi.stubGlobal('document', doc);
  vi.stubGlobal('navigator', nav);
  const fake = fakeFetch();
  calls = fake.calls;
  client = createLogsClient({
    url: 'http://gateway.test',
    fetch: fake.fetch,
    random: () => 0.999999,
    reconnect: { initialDelayMs: 5000, maxDelayMs: 60_000 },
  });
});

afterEach(() => {
  client.close();
  expect(vi.getTimerCount()).toBe(0);
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

async function dropFirstConnection(): Promise<void> {
  client.subscribe(CHANNEL_A);
  await vi.advanceTimersByTimeAsync(25);
  calls[0]!.open();
  calls[0]!.end();
  await vi.advanceTimersByTimeAsync(0);
  expect(client.status).toBe('reconnecting');
}

describe('browser wake-ups', () => {
  it('reconnects at once when the page comes back online', async () => {
    await dropFirstConnection();
    win.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(2);
  });

  it('reconnects at once when the page becomes visible, not when it is hidden', async () => {
    await dropFirstConnection();
    doc.visibilityState = 'hidden';
    doc.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    doc.visibilityState = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(2);
  });

  it('does not spin while offline: one attempt per maxDelayMs at most, until online', async () => {
    nav.onLine = false;
    client.subscribe(CHANNEL_A);
    await vi.advanceTimersByTimeAsync(25);
    calls[0]!.fail();
    await vi.advanceTimersByTimeAsync(59_999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    nav.onLine = true;
    calls[1]!.fail();
    await vi.advanceTimersByTimeAsync(0);
    win.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(3);
  });

  it('ignores wake-ups while connected and stops listening once closed', async () => {
    client.subscribe(CHANNEL_A);
    await vi.advanceTimersByTimeAsync(25);
    calls[0]!.open();
    await vi.advanceTimersByTimeAsync(0);
    win.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    client.close();
    win.dispatchEvent(new Event('online'));
    doc.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
  });
});
