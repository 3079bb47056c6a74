import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogsClient, type LogsClient } from '../src/index';
import { type FetchCall, fakeFetch } from './fakeFetch';
import { CHANNEL_A, Collector, logEntry, logFrame } from './helpers';

const hello = (cursor: string | null, heartbeatSeconds = 15) =>
  `event: hello\ndata: ${JSON.stringify({ connectionId: 'c', heartbeatSeconds, channels: [], cursor })}\n\n`;

let client: LogsClient;
let calls: FetchCall[];
const paths = () => calls.map((call) => call.url.pathname.split('/').at(-1));

beforeEach(() => {
  vi.useFakeTimers();
  const fake = fakeFetch();
  calls = fake.calls;
  // Full jitter at its top: delays are exactly the backoff's.
  client = createLogsClient({ url: 'http://gateway.test', fetch: fake.fetch, random: () => 0.999999 });
});

afterEach(() => {
  client.close();
  expect(vi.getTimerCount()).toBe(0);
  vi.useRealTimers();
});

/** Lets the client read what was pushed and run what it scheduled at once. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('long-poll fallback (fake timers)', () => {
  it('polls when a stream opens but its hello is held back, losing and repeating nothing', async () => {
    const collector = new Collector();
    client.subscribe(CHANNEL_A, { onLogs: collector.onLogs });
    await vi.advanceTimersByTimeAsync(25);
    // A stream that says hello and sends an entry: its cursor is where polls go on from.
    calls[0]!.open();
    calls[0]!.push(hello('1-0') + logFrame(logEntry('1-1', CHANNEL_A, 'streamed')));
    await settle();
    calls[0]!.fail();
    calls[0]!.end();
    await vi.advanceTimersToNextTimerAsync();

    // The next stream opens and stays silent, as behind a proxy that buffers it.
    expect(paths()).toEqual(['stream', 'stream']);
    calls[1]!.open();
    await vi.advanceTimersByTimeAsync(3999);
    expect(calls).toHaveLength(2);
    expect(client.stats().transport).toBe('sse');
    await vi.advanceTimersByTimeAsync(1);
    expect(calls[1]!.signal?.aborted).toBe(true);
    expect(client.stats()).toMatchObject({ stalls: 1, transport: 'poll' });
    await vi.advanceTimersToNextTimerAsync();

    expect(paths()).toEqual(['stream', 'stream', 'poll']);
    const poll = calls[2]!;
    expect(poll.url.search).toBe(`?channels=${encodeURIComponent(CHANNEL_A)}`);
    expect(poll.headers['last-event-id']).toBe('1-1');
    poll.open();
    poll.push(hello('1-1') + logFrame(logEntry('1-2', CHANNEL_A, 'polled')));
    poll.end();
    await settle();
    expect(client.status).toBe('open');
    // Answered: the next poll goes out at once, from the newest cursor.
    expect(paths()).toEqual(['stream', 'stream', 'poll', 'poll']);
    expect(calls[3]!.headers['last-event-id']).toBe('1-2');
    // An entry sent twice (a poll answer that overlaps) is skipped.
    calls[3]!.open();
    calls[3]!.push(
      hello('1-2') +
        logFrame(logEntry('1-2', CHANNEL_A, 'polled')) +
        logFrame(logEntry('1-3', CHANNEL_A, 'polled again')),
    );
    calls[3]!.end();
    await settle();
    expect(collector.messages()).toEqual(['streamed', 'polled', 'polled again']);
    expect(client.stats()).toMatchObject({ duplicates: 1, transport: 'poll', lastEventId: '1-3' });
  });

  it('tries the stream again after 30 s, then twice as long each time it is held back, and goes back to it', async () => {
    client.subscribe(CHANNEL_A);
    await vi.advanceTimersByTimeAsync(25);
    calls[0]!.open();
    await vi.advanceTimersByTimeAsync(4000);
    await vi.advanceTimersToNextTimerAsync();
    const switchedAt = Date.now();
    // Polls answered with nothing new, every 25 s, as a gateway does.
    const answerPolls = async (until: number) => {
      while (Date.now() < until) {
        const call = calls.at(-1)!;
        if (call.url.pathname.endsWith('/stream')) return call;
        await vi.advanceTimersByTimeAsync(Math.min(25_000, until - Date.now()));
        call.open();
        call.push(hello('5-0'));
        call.end();
        await settle();
      }
      return calls.at(-1)!;
    };
    let probe = await answerPolls(switchedAt + 60_000);
    expect(probe.url.pathname).toBe('/api/logs/stream');
    expect(probe.at - switchedAt).toBeGreaterThanOrEqual(30_000);
    expect(probe.at - switchedAt).toBeLessThan(30_000 + 25_000);
    // Held back again: polls again, and the next try comes 60 s later.
    probe.open();
    await vi.advanceTimersByTimeAsync(4000);
    await vi.advanceTimersToNextTimerAsync();
    expect(client.stats()).toMatchObject({ transport: 'poll', stalls: 2 });
    const heldAt = Date.now();
    probe = await answerPolls(heldAt + 120_000);
    expect(probe.url.pathname).toBe('/api/logs/stream');
    expect(probe.at - heldAt).toBeGreaterThanOrEqual(60_000);
    // This time the stream gets through: it stays.
    probe.open();
    probe.push(hello('5-0'));
    await settle();
    expect(client.stats().transport).toBe('sse');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(calls.at(-1)).toBe(probe);
  });

  it('backs off between polls that fail, as between streams', async () => {
    client.subscribe(CHANNEL_A);
    await vi.advanceTimersByTimeAsync(25);
    calls[0]!.open();
    await vi.advanceTimersByTimeAsync(4000);
    await vi.advanceTimersToNextTimerAsync();
    expect(paths()).toEqual(['stream', 'poll']);
    calls[1]!.answer(503, undefined, { 'retry-after': '3' });
    await settle();
    expect(client.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(2999);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(paths()).toEqual(['stream', 'poll', 'poll']);
    // An answer cut before its hello is a failure too: no poll follows at once.
    calls[2]!.open();
    calls[2]!.end();
    await settle();
    expect(calls).toHaveLength(3);
    expect(client.status).toBe('reconnecting');
  });
});

describe('gateway URL', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('resolves a relative URL against the page, and takes a stream URL for its base', async () => {
    vi.stubGlobal('location', new URL('https://app.example/shell/page?x=1'));
    for (const [url, expected] of [
      ['/logs-gateway', 'https://app.example/logs-gateway/api/logs/stream'],
      ['logs-gateway/', 'https://app.example/shell/logs-gateway/api/logs/stream'],
      ['https://logs.example/base/api/logs/stream', 'https://logs.example/base/api/logs/stream'],
      ['https://logs.example//', 'https://logs.example/api/logs/stream'],
    ]) {
      const fake = fakeFetch();
      const relative = createLogsClient({ url: url!, fetch: fake.fetch });
      relative.subscribe(CHANNEL_A);
      await vi.advanceTimersByTimeAsync(25);
      expect(`${fake.calls[0]!.url.origin}${fake.calls[0]!.url.pathname}`).toBe(expected);
      relative.close();
    }
  });

  it('refuses a relative URL outside a page, and what is not http(s), saying what to pass', () => {
    for (const url of ['/logs-gateway', '', 'ftp://logs.example', 'javascript:alert(1)']) {
      expect(() => createLogsClient({ url })).toThrow(/absolute \("https:\/\/logs\.example\.com"\)/);
    }
  });
});

describe('a gateway without polls', () => {
  it('goes back to streams for good when the poll endpoint is not found', async () => {
    vi.useFakeTimers();
    const fake = fakeFetch();
    const old = createLogsClient({ url: 'http://gateway.test', fetch: fake.fetch, random: () => 0 });
    old.subscribe(CHANNEL_A);
    await vi.advanceTimersByTimeAsync(25);
    fake.calls[0]!.open();
    await vi.advanceTimersByTimeAsync(4000);
    await vi.advanceTimersToNextTimerAsync();
    fake.calls[1]!.answer(404, { error: { code: 'not_found', message: 'no endpoint at /api/logs/poll' } });
    await vi.advanceTimersByTimeAsync(1);
    expect(old.status).toBe('reconnecting');
    await vi.advanceTimersToNextTimerAsync();
    fake.calls[2]!.open();
    await vi.advanceTimersByTimeAsync(4000);
    await vi.advanceTimersToNextTimerAsync();
    // Held back again: given up and tried again as a stream, not as a poll.
    expect(fake.calls.map((call) => call.url.pathname.split('/').at(-1)).slice(0, 4)).toEqual([
      'stream',
      'poll',
      'stream',
      'stream',
    ]);
    const { transport } = old.stats();
    old.close();
    expect(transport).toBe('sse');
  });
});
