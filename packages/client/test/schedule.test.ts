import { encodeSseComment } from '@logs-sse/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogsClient, type LogsClient, type LogsClientOptions } from '../src/index';
import { type FetchCall, fakeFetch } from './fakeFetch';
import { CHANNEL_A, CHANNEL_B, Collector, logEntry, logFrame } from './helpers';

const historyFrame = (channel: string, logs: unknown[]) =>
  `event: history\ndata: ${JSON.stringify({ channel, logs: logs.map((entry) => (entry && typeof entry === 'object' && !('type' in entry) ? { ...entry, type: 'log' } : entry)) })}\n\n`;

const hello = (heartbeatSeconds: number) =>
  `event: hello\ndata: ${JSON.stringify({ connectionId: 'c', heartbeatSeconds, channels: [] })}\n\n`;

let client: LogsClient;
let calls: FetchCall[];

function create(options: Partial<LogsClientOptions> = {}): LogsClient {
  const fake = fakeFetch();
  calls = fake.calls;
  client = createLogsClient({ url: 'http://gateway.test', fetch: fake.fetch, ...options });
  return client;
}

const streamCalls = () => calls.filter((call) => call.url.pathname === '/api/logs/stream');

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  client?.close();
  expect(vi.getTimerCount()).toBe(0);
  vi.useRealTimers();
});

describe('reconnect schedule (fake timers)', () => {
  it('backs off exponentially up to maxDelayMs while the network fails', async () => {
    create({ random: () => 0.999999, reconnect: { initialDelayMs: 1000, factor: 2, maxDelayMs: 8000 } });
    client.subscribe(CHANNEL_A);
    await vi.advanceTimersByTimeAsync(25);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const failedAt = Date.now();
      calls.at(-1)!.fail();
      await vi.advanceTimersToNextTimerAsync();
      expect(calls).toHaveLength(i + 2);
      delays.push(calls.at(-1)!.at - failedAt);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(client.status).toBe('reconnecting');
    expect(client.stats().reconnects).toBe(6);
  });

  it('starts over from the initial delay once a connection says hello', async () => {
    create({ random: () => 0.999999, reconnect: { initialDelayMs: 1000, factor: 2 } });
    client.subscribe(CHANNEL_A);
    await vi.advanceTimersByTimeAsync(25);
    calls[0]!.fail();
    await vi.advanceTimersByTimeAsync(1000);
    calls[1]!.fail();
    await vi.advanceTimersByTimeAsync(2000);
    calls[2]!.open();
    calls[2]!.push(hello(15));
    calls[2]!.end();
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(4);
  });

  it("waits at least the server's Retry-After on 503", async () => {
    create({ random: () => 0, reconnect: { initialDelayMs: 100 } });
    client.subscribe(CHANNEL_A);
    await vi.advanceTimersByTimeAsync(25);
    calls[0]!.answer(503, { error: { code: 'unavailable', message: 'busy' } }, { 'retry-after': '5' });
    await vi.advanceTimersByTimeAsync(4999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
  });

  it('leaves no timer behind after a non-retryable answer', async () => {
    create();
    client.subscribe(CHANNEL_A);
    await vi.advanceTimersByTimeAsync(25);
    calls[0]!.answer(401, { error: { code: 'unauthorized', message: 'token expired' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(client.status).toBe('error');
    expect(client.error?.message).toMatch(/401 unauthorized.*token expired/);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(calls).toHaveLength(1);
  });
});

describe("resuming from the hello's cursor (fake timers)", () => {
  const helloAt = (cursor: string | null) =>
    `event: hello\ndata: ${JSON.stringify({ connectionId: 'c', heartbeatSeconds: 15, channels: [], cursor })}\n\n`;

  it('keeps the first stream start as resume point through drops before any entry', async () => {
    create({ random: () => 0 });
    client.subscribe(CHANNEL_A);
    await vi.advanceTimersByTimeAsync(25);
    calls[0]!.open();
    calls[0]!.push(helloAt('100-0'));
    calls[0]!.end();
    await vi.advanceTimersByTimeAsync(0);
    expect(streamCalls()).toHaveLength(2);
    expect(streamCalls()[1]!.headers['last-event-id']).toBe('100-0');
    // The resumed stream says hello with a newer cursor, then drops before replaying anything.
    calls[1]!.open();
    calls[1]!.push(helloAt('200-0'));
    calls[1]!.end();
    await vi.advanceTimersByTimeAsync(0);
    expect(streamCalls()[2]!.headers['last-event-id']).toBe('100-0');
    calls[2]!.open();
    calls[2]!.push(logFrame(logEntry('150-0', CHANNEL_A, 'missed')));
    await vi.advanceTimersByTimeAsync(0);
    expect(client.getLogs(CHANNEL_A).map((entry) => entry.message)).toEqual(['missed']);
    expect(client.stats().lastEventId).toBe('150-0');
  });

  it('resumes from the start when the gateway held nothing at hello (cursor null)', async () => {
    create({ random: () => 0 });
    client.subscribe(CHANNEL_A);
    await vi.advanceTimersByTimeAsync(25);
    calls[0]!.open();
    calls[0]!.push(helloAt(null));
    calls[0]!.end();
    await vi.advanceTimersByTimeAsync(0);
    expect(streamCalls()[1]!.headers['last-event-id']).toBe('0-0');
  });

  it('sends no Last-Event-ID after a hello without a cursor (an older gateway)', async () => {
    create({ random: () => 0 });
    client.subscribe(CHANNEL_A);
    await vi.advanceTimersByTimeAsync(25);
    calls[0]!.open();
    calls[0]!.push(hello(15));
    calls[0]!.end();
    await vi.advanceTimersByTimeAsync(0);
    expect(streamCalls()[1]!.headers['last-event-id']).toBeUndefined();
  });
});

describe('stall detection (fake timers)', () => {
  it('keeps a connection whose heartbeats arrive, drops it after 2.5 intervals of silence', async () => {
    create({ random: () => 0 });
    client.subscribe(CHANNEL_A);
    await vi.advanceTimersByTimeAsync(25);
    calls[0]!.open();
    calls[0]!.push(hello(10));
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(20_000);
      calls[0]!.push(encodeSseComment());
    }
    expect(calls).toHaveLength(1);
    expect(client.status).toBe('open');
    await vi.advanceTimersByTimeAsync(24_999);
    expect(client.stats().stalls).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(client.stats().stalls).toBe(1);
    expect(calls[0]!.signal?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
  });
});

describe('connect timeout (fake timers)', () => {
  it('gives up a stream without hello after 4 s, a poll without answer after the stall limit of the last hello', async () => {
    create({ random: () => 0 });
    client.subscribe(CHANNEL_A);
    await vi.advanceTimersByTimeAsync(25);
    // A stream that brings no hello within 4 s: polls take over.
    await vi.advanceTimersByTimeAsync(3_999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls[0]!.signal?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((call) => call.url.pathname)).toEqual(['/api/logs/stream', '/api/logs/poll']);
    // A poll never answered, before any hello: the default limit of 45 s.
    await vi.advanceTimersByTimeAsync(44_999);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls[1]!.signal?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(3);
    calls[2]!.open();
    calls[2]!.push(hello(2));
    calls[2]!.end();
    await vi.advanceTimersByTimeAsync(1);
    // 30 s after the switch, the poll that follows an answer tries the stream again; held back, polls again.
    expect(calls[3]!.url.pathname).toBe('/api/logs/stream');
    await vi.advanceTimersByTimeAsync(3_999);
    expect(calls).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(2);
    expect(calls[4]!.url.pathname).toBe('/api/logs/poll');
    calls[4]!.open();
    calls[4]!.push(hello(2));
    // This gateway said 2 s heartbeats: a poll silent for 5 s is given up.
    await vi.advanceTimersByTimeAsync(4_999);
    expect(calls).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(2);
    expect(calls).toHaveLength(6);
    expect(client.stats().stalls).toBe(4);
  });
});

describe('channel set (fake timers)', () => {
  it('opens one connection for a burst of subscribes', async () => {
    create();
    const channels = Array.from({ length: 10 }, (_, i) => `logs:web:ws-1:r${i}`);
    for (const channel of channels) client.subscribe(channel);
    expect(client.status).toBe('idle');
    await vi.advanceTimersByTimeAsync(25);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url.searchParams.get('channels')!.split(',')).toEqual([...channels].sort());
    expect(client.status).toBe('connecting');
  });

  it('shares a channel between subscribers and drops it with the last one', async () => {
    create();
    const first = client.subscribe(CHANNEL_A);
    const second = client.subscribe(CHANNEL_A);
    await vi.advanceTimersByTimeAsync(25);
    calls[0]!.open();
    expect(calls[0]!.url.searchParams.get('channels')).toBe(CHANNEL_A);
    first();
    first(); // a second call is harmless
    await vi.advanceTimersByTimeAsync(25);
    expect(calls).toHaveLength(1);
    expect(client.stats().channels).toBe(1);
    second();
    await vi.advanceTimersByTimeAsync(25);
    expect(calls[0]!.signal?.aborted).toBe(true);
    expect(client.status).toBe('idle');
    expect(client.stats().channels).toBe(0);
    expect(client.getLogs(CHANNEL_A)).toEqual([]);
  });

  it('counts one options object subscribed twice as two subscribers', async () => {
    create();
    const a = new Collector();
    const options = { onLogs: a.onLogs };
    const first = client.subscribe(CHANNEL_A, options);
    const second = client.subscribe(CHANNEL_A, options);
    await vi.advanceTimersByTimeAsync(25);
    calls[0]!.open();
    calls[0]!.push(logFrame(logEntry('10-1', CHANNEL_A, 'both')));
    await vi.advanceTimersByTimeAsync(0);
    expect(a.messages()).toEqual(['both', 'both']);
    first();
    await vi.advanceTimersByTimeAsync(25);
    calls[0]!.push(logFrame(logEntry('10-2', CHANNEL_A, 'one left')));
    await vi.advanceTimersByTimeAsync(0);
    expect(a.messages()).toEqual(['both', 'both', 'one left']);
    expect(client.stats().channels).toBe(1);
    second();
    await vi.advanceTimersByTimeAsync(25);
    expect(client.status).toBe('idle');
  });

  it('keeps the connection and the buffer when a channel is dropped and taken again at once', async () => {
    create();
    const stop = client.subscribe(CHANNEL_A);
    await vi.advanceTimersByTimeAsync(25);
    calls[0]!.open();
    calls[0]!.push(logFrame(logEntry('1-1', CHANNEL_A, 'kept')));
    await vi.advanceTimersByTimeAsync(0);
    stop();
    client.subscribe(CHANNEL_A); // what React's StrictMode does on mount
    await vi.advanceTimersByTimeAsync(25);
    expect(calls).toHaveLength(1);
    expect(client.getLogs(CHANNEL_A).map((e) => e.message)).toEqual(['kept']);
  });

  it('adds a channel subscribed while a reconnect attempt is on its way, once that attempt opens', async () => {
    create({ random: () => 0 });
    client.subscribe(CHANNEL_A);
    await vi.advanceTimersByTimeAsync(25);
    streamCalls()[0]!.answer(503);
    await vi.advanceTimersByTimeAsync(1);
    expect(client.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(0);
    const attempt = streamCalls().at(-1)!;
    expect(attempt.url.searchParams.get('channels')).toBe(CHANNEL_A);
    client.subscribe(CHANNEL_B);
    await vi.advanceTimersByTimeAsync(25);
    attempt.open();
    await vi.advanceTimersByTimeAsync(25);
    expect(streamCalls().at(-1)!.url.searchParams.get('channels')!.split(',')).toEqual(
      [CHANNEL_A, CHANNEL_B].sort(),
    );
  });

  it('applies a changed channel set with one reconnect that resumes from the cursor', async () => {
    create();
    const stopA = client.subscribe(CHANNEL_A);
    await vi.advanceTimersByTimeAsync(25);
    calls[0]!.open();
    calls[0]!.push(logFrame(logEntry('7-1', CHANNEL_A, 'a')));
    await vi.advanceTimersByTimeAsync(0);
    client.subscribe(CHANNEL_B);
    client.subscribe('logs:etl:ws-1:run-3');
    stopA();
    await vi.advanceTimersByTimeAsync(25);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.signal?.aborted).toBe(true);
    expect(calls[1]!.url.searchParams.get('channels')).toBe(`${CHANNEL_B},logs:etl:ws-1:run-3`);
    expect(calls[1]!.headers['last-event-id']).toBe('7-1');
    expect(client.stats().reconnects).toBe(0);
  });

  it("asks the stream for each new channel's history until its history event has arrived", async () => {
    create();
    const a = new Collector();
    client.subscribe(CHANNEL_A, { tail: 20, onLogs: a.onLogs });
    client.subscribe('logs:etl:ws-1:quiet'); // no tail, no since: nothing to ask for
    await vi.advanceTimersByTimeAsync(25);
    expect(calls[0]!.url.searchParams.get('history')).toBe(`${CHANNEL_A}~20`);
    expect(calls[0]!.url.searchParams.get('tail')).toBeNull();
    calls[0]!.open();
    calls[0]!.push(
      hello(15) +
        historyFrame(CHANNEL_A, [logEntry('9-1', CHANNEL_A, 'a-old')]) +
        logFrame(logEntry('10-1', CHANNEL_A, 'a1')),
    );
    await vi.advanceTimersByTimeAsync(0);
    // History and the stream's entries of one chunk: one batch, history first.
    expect(a.messages()).toEqual(['a-old', 'a1']);
    expect(a.batches).toHaveLength(1);

    const b = new Collector();
    const statuses: unknown[] = [];
    client.subscribe(CHANNEL_B, { tail: 2, onLogs: b.onLogs, onStatus: (s) => statuses.push(s.phase) });
    await vi.advanceTimersByTimeAsync(25);
    const second = streamCalls()[1]!;
    // A has its history: only B asks, from where the stream resumes.
    expect(second.url.searchParams.get('history')).toBe(`${CHANNEL_B}~2`);
    expect(second.headers['last-event-id']).toBe('10-1');
    second.open();
    // Cut before B's history event: the next connection asks again.
    second.push(hello(15));
    second.end();
    await vi.advanceTimersToNextTimerAsync();
    const third = streamCalls()[2]!;
    expect(third.url.searchParams.get('history')).toBe(`${CHANNEL_B}~2`);
    third.open();
    third.push(
      hello(15) +
        historyFrame(CHANNEL_B, [
          logEntry('9-2', CHANNEL_B, 'b-old-1'),
          { id: '9-3', type: 'status', channel: CHANNEL_B, phase: 'active' },
          logEntry('9-4', CHANNEL_B, 'b-old-2'),
        ]) +
        logFrame(logEntry('10-5', CHANNEL_B, 'b-live')),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(b.messages()).toEqual(['b-old-1', 'b-old-2', 'b-live']);
    expect(statuses).toEqual(['active']);
    expect(client.getLogs(CHANNEL_B).map((e) => e.id)).toEqual(['9-2', '9-4', '10-5']);
    // History entries carry no stream id: the resume point is still the newest streamed entry.
    expect(client.stats().lastEventId).toBe('10-5');

    // `since` wins over `tail`, and is asked for as a cursor.
    client.subscribe('logs:etl:ws-1:run-9', { since: '8-0', tail: 5 });
    await vi.advanceTimersByTimeAsync(25);
    expect(streamCalls()[3]!.url.searchParams.get('history')).toBe('logs:etl:ws-1:run-9~8-0');
  });

  it('asks for history only of the channels the attempt carries, also when one is subscribed during the token', async () => {
    let release: (token: string) => void = () => {};
    create({ token: () => new Promise<string>((resolve) => (release = resolve)) });
    const statuses: string[] = [];
    client.onConnectionStatus((status) => statuses.push(status));
    client.subscribe(CHANNEL_A, { tail: 3 });
    await vi.advanceTimersByTimeAsync(25);
    // The attempt for A waits for its token; B comes meanwhile, and the token right after.
    client.subscribe(CHANNEL_B, { tail: 5 });
    release('t1');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls[0]!.url.searchParams.get('channels')).toBe(CHANNEL_A);
    expect(calls[0]!.url.searchParams.get('history')).toBe(`${CHANNEL_A}~3`);
    calls[0]!.open();
    calls[0]!.push(hello(15));
    await vi.advanceTimersByTimeAsync(25);
    release('t2');
    await vi.advanceTimersByTimeAsync(0);
    const second = streamCalls()[1]!;
    expect(second.url.searchParams.get('channels')).toBe(`${CHANNEL_A},${CHANNEL_B}`);
    expect(second.url.searchParams.get('history')).toBe(`${CHANNEL_A}~3,${CHANNEL_B}~5`);
    expect(statuses).not.toContain('error');
  });

  it('ignores a history event for a channel it did not subscribe, and counts a malformed one', async () => {
    create();
    const a = new Collector();
    client.subscribe(CHANNEL_A, { tail: 5, onLogs: a.onLogs });
    await vi.advanceTimersByTimeAsync(25);
    calls[0]!.open();
    calls[0]!.push(
      hello(15) +
        historyFrame(CHANNEL_B, [logEntry('9-1', CHANNEL_B, 'not mine')]) +
        'event: history\ndata: {"channel":\n\n' +
        historyFrame(CHANNEL_A, [logEntry('9-2', CHANNEL_A, 'mine'), null, { type: 'gap' }, 'x'] as never),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(a.messages()).toEqual(['mine']);
    expect(client.getLogs(CHANNEL_B)).toEqual([]);
    expect(client.stats().malformed).toBe(1);
  });

  it('refuses what is not a channel and use after close, always with a TypeError that says what it expected', () => {
    create();
    const subscribeMessage =
      'subscribe("%s"): expected a channel logs:{service}:{workspace}:{resource} (* allowed), a level, a whole tail >= 0, since and epoch cursors';
    const refusal = (key: string) => new TypeError(subscribeMessage.replace('%s', key));
    expect(() => client.subscribe('not-a-channel')).toThrow(refusal('not-a-channel'));
    expect(() => client.subscribe(CHANNEL_A, { tail: -1 })).toThrow(refusal(CHANNEL_A));
    expect(() => client.subscribe(CHANNEL_A, { tail: 1.5 })).toThrow(refusal(CHANNEL_A));
    expect(() => client.subscribe(CHANNEL_A, { level: 'loud' as never })).toThrow(refusal(CHANNEL_A));
    expect(() => client.subscribe(CHANNEL_A, { since: 'soon' })).toThrow(refusal(CHANNEL_A));
    // An epoch that is not a cursor would never equal the gateway's: refused, not taken as another epoch.
    expect(() => client.subscribe(CHANNEL_A, { epoch: 'yesterday' })).toThrow(refusal(CHANNEL_A));
    client.close();
    expect(client.status).toBe('closed');
    expect(() => client.subscribe(CHANNEL_A)).toThrow(
      new TypeError('subscribe() on a closed client: create a new one'),
    );
    expect(() => createLogsClient({ url: 'relative/path' })).toThrow(
      new TypeError(
        'createLogsClient: url must be the gateway\'s base URL: absolute ("https://logs.example.com"), or relative to the page in a browser ("/logs-gateway")',
      ),
    );
    expect(() => createLogsClient({ url: 'http://x', bufferSize: 0 })).toThrow(
      new TypeError('createLogsClient: bufferSize must be a positive integer'),
    );
  });

  it('close() aborts the stream and clears every timer', async () => {
    create();
    client.subscribe(CHANNEL_A);
    client.subscribe(CHANNEL_B, { tail: 5 });
    await vi.advanceTimersByTimeAsync(25);
    calls[0]!.open();
    calls[0]!.push(hello(5));
    await vi.advanceTimersByTimeAsync(0);
    // The debounce has run; the stall watch of the open stream is left.
    expect(vi.getTimerCount()).toBe(1);
    const statuses: string[] = [];
    client.onConnectionStatus((status) => statuses.push(status));
    client.close();
    expect(statuses).toEqual(['closed']);
    expect(calls[0]!.signal?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});
