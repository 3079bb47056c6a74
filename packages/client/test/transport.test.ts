import { encodeSseEvent } from '@logs-sse/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogsClient, type LogsClient, LogsClientError, type LogsClientOptions } from '../src/index';
import {
  CHANNEL_A,
  CHANNEL_B,
  Collector,
  deferred,
  LoopbackServer,
  logEntry,
  logFrame,
  openStream,
  waitForStatus,
} from './helpers';

let server: LoopbackServer;
let client: LogsClient;

beforeEach(async () => {
  server = await LoopbackServer.start();
});

afterEach(async () => {
  client?.close();
  await server.close();
});

function connect(extra: Partial<LogsClientOptions> = {}) {
  client = createLogsClient({
    url: server.url,
    debounceMs: 0,
    reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
    ...extra,
  });
  return client;
}

describe('stream transport', () => {
  it('delivers the entries of one network chunk as one batch and changes the snapshot once', async () => {
    connect();
    const collector = new Collector();
    let changes = 0;
    client.subscribe(CHANNEL_A, { onLogs: collector.onLogs, onChange: () => changes++ });
    const { res } = await server.next();
    openStream(res);
    let chunk = '';
    for (let i = 1; i <= 50; i++) chunk += logFrame(logEntry(`1000-${i}`, CHANNEL_A, `line ${i}`));
    res.write(chunk);
    await collector.waitFor(50);
    expect(collector.batches).toHaveLength(1);
    expect(changes).toBe(1);
    const snapshot = client.getLogs(CHANNEL_A);
    expect(client.getLogs(CHANNEL_A)).toBe(snapshot);
    expect(client.getLogs(CHANNEL_A).map((e) => e.message)).toEqual(collector.messages());
    expect(client.stats()).toMatchObject({ received: 50, lastEventId: '1000-50', connections: 1 });
  });

  it('sends the token and headers, asks for event streams, and names the channels in the query', async () => {
    connect({ token: () => Promise.resolve('secret'), headers: { 'x-app': 'ui' } });
    client.subscribe(CHANNEL_B);
    client.subscribe(CHANNEL_A);
    const { req, url, res } = await server.next();
    openStream(res);
    expect(req.headers.authorization).toBe('Bearer secret');
    expect(req.headers['x-app']).toBe('ui');
    expect(req.headers.accept).toBe('text/event-stream');
    expect(url.pathname).toBe('/api/logs/stream');
    expect(url.searchParams.get('channels')).toBe(`${CHANNEL_A},${CHANNEL_B}`);
    expect(req.headers['last-event-id']).toBeUndefined();
  });

  it('resumes with Last-Event-ID after the server ends the stream, and honours retry:', async () => {
    // A huge initial delay that only the server's `retry: 1` can shorten.
    connect({ reconnect: { initialDelayMs: 60_000, jitter: 0 } });
    const collector = new Collector();
    client.subscribe(CHANNEL_A, { onLogs: collector.onLogs });
    const first = await server.next();
    openStream(first.res, 15, 1);
    first.res.end(
      logFrame(logEntry('1000-1', CHANNEL_A, 'one')) + logFrame(logEntry('1000-2', CHANNEL_A, 'two')),
    );
    const second = await server.next();
    expect(second.req.headers['last-event-id']).toBe('1000-2');
    openStream(second.res);
    // A replay of something already seen is skipped, the new entry is delivered.
    second.res.write(
      logFrame(logEntry('1000-2', CHANNEL_A, 'two')) + logFrame(logEntry('1000-3', CHANNEL_A, 'three')),
    );
    await collector.waitFor(3);
    expect(collector.messages()).toEqual(['one', 'two', 'three']);
    expect(client.stats()).toMatchObject({ reconnects: 1, duplicates: 1, connections: 2 });
  });

  it('gives up a silent connection after 2.5 heartbeat intervals and reconnects', async () => {
    connect();
    client.subscribe(CHANNEL_A);
    const first = await server.next();
    openStream(first.res, 0.04); // announces a 40 ms heartbeat, then says nothing
    const second = await server.next();
    openStream(second.res);
    await waitForStatus(client, 'open');
    expect(client.stats().stalls).toBe(1);
    expect(first.res.destroyed || first.req.destroyed || first.res.writableEnded).toBe(true);
  });

  it.each([
    [401, 'unauthorized', 'unauthorized'],
    [403, 'forbidden', 'forbidden'],
    [400, 'too_many_channels', 'bad_request'],
  ] as const)('stops on %i with a typed error', async (status, serverCode, code) => {
    connect();
    client.subscribe(CHANNEL_A);
    const { res } = await server.next();
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: serverCode, message: 'nope' } }));
    await waitForStatus(client, 'error');
    expect(client.error).toBeInstanceOf(LogsClientError);
    expect(client.error).toMatchObject({
      code,
      status,
      serverCode,
      message: `stream refused: ${status} ${serverCode}: nope`,
    });
    // No retry was scheduled (the fake-timer tests check that no timer is left either).
    expect(server.requests).toHaveLength(1);
    expect(client.stats().reconnects).toBe(0);
  });

  it('retries 503 and 5xx answers', async () => {
    connect();
    const collector = new Collector();
    client.subscribe(CHANNEL_A, { onLogs: collector.onLogs });
    const first = await server.next();
    first.res.writeHead(503, { 'retry-after': '0' }).end();
    const second = await server.next();
    second.res.writeHead(500).end('oops');
    const third = await server.next();
    openStream(third.res);
    third.res.write(logFrame(logEntry('5-1', CHANNEL_A, 'finally')));
    await collector.waitFor(1);
    expect(client.stats().reconnects).toBe(2);
  });

  it('stops when a 200 answer is not an event stream', async () => {
    connect();
    client.subscribe(CHANNEL_A);
    const { res } = await server.next();
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
    await waitForStatus(client, 'error');
    expect(client.error).toMatchObject({
      name: 'LogsClientError',
      code: 'not_event_stream',
      status: 200,
      message: 'not an event stream: check the url',
      serverCode: undefined,
    });
  });

  it('counts malformed events, skips them, and keeps the stream', async () => {
    connect();
    const collector = new Collector();
    client.subscribe(CHANNEL_A, { onLogs: collector.onLogs });
    const { res } = await server.next();
    openStream(res);
    res.write(
      encodeSseEvent('log', '{not json', '1-1') +
        encodeSseEvent('log', '"a string"', '1-2') +
        encodeSseEvent('mystery', '{}') +
        logFrame(logEntry('1-3', CHANNEL_A, 'fine')),
    );
    await collector.waitFor(1);
    expect(collector.messages()).toEqual(['fine']);
    expect(client.stats().malformed).toBe(2);
    expect(client.status).toBe('open');
  });

  it('shields subscribers from one that throws', async () => {
    const errors: unknown[] = [];
    connect({ onError: (error) => errors.push(error) });
    const collector = new Collector();
    client.subscribe(CHANNEL_A, {
      onLogs: () => {
        throw new Error('broken widget');
      },
    });
    client.subscribe(CHANNEL_A, { onLogs: collector.onLogs });
    const { res } = await server.next();
    openStream(res);
    res.write(logFrame(logEntry('1-1', CHANNEL_A, 'x')));
    await collector.waitFor(1);
    expect(errors).toEqual([new Error('broken widget')]);
  });

  it('delivers status, done and gap in stream order after the logs before them', async () => {
    connect();
    const seen: string[] = [];
    const done = deferred();
    client.subscribe(CHANNEL_A, {
      onLog: (entry) => seen.push(`log:${entry.message}`),
      onStatus: (entry) => seen.push(`status:${entry.phase}`),
      onGap: (gap) => seen.push(`gap:${gap.missed}`),
      onDone: () => {
        seen.push('done');
        done.resolve();
      },
    });
    const { res } = await server.next();
    openStream(res);
    res.write(
      encodeSseEvent('gap', JSON.stringify({ channel: CHANNEL_A, missed: 3, from: '1-0' })) +
        logFrame(logEntry('2-1', CHANNEL_A, 'a')) +
        encodeSseEvent('status', JSON.stringify({ id: '2-2', channel: CHANNEL_A, phase: 'active' }), '2-2') +
        logFrame(logEntry('2-3', CHANNEL_A, 'b')) +
        encodeSseEvent('done', JSON.stringify({ id: '2-4', channel: CHANNEL_A }), '2-4'),
    );
    await done.promise;
    expect(seen).toEqual(['gap:3', 'log:a', 'status:active', 'log:b', 'done']);
  });

  it('asks the gateway for the lowest level wanted and filters per subscriber', async () => {
    connect();
    const warn = new Collector();
    const info = new Collector();
    client.subscribe(CHANNEL_A, { level: 'warn', onLogs: warn.onLogs });
    client.subscribe(CHANNEL_A, { level: 'info', onLogs: info.onLogs });
    const { url, res } = await server.next();
    expect(url.searchParams.get('level')).toBe('info');
    openStream(res);
    res.write(
      logFrame(logEntry('3-1', CHANNEL_A, 'i', 'info')) +
        logFrame(logEntry('3-2', CHANNEL_A, 'w', 'warn')) +
        logFrame(logEntry('3-3', CHANNEL_A, 'e', 'error')),
    );
    await info.waitFor(3);
    await warn.waitFor(2);
    expect(warn.messages()).toEqual(['w', 'e']);
    expect(client.getLogs(CHANNEL_A)).toHaveLength(3);
  });

  it('routes entries to pattern subscriptions', async () => {
    connect();
    const all = new Collector();
    client.subscribe('logs:etl:ws-1:*', { onLogs: all.onLogs });
    const { url, res } = await server.next();
    expect(url.searchParams.get('channels')).toBe('logs:etl:ws-1:*');
    openStream(res);
    res.write(
      logFrame(logEntry('4-1', CHANNEL_A, 'a')) +
        logFrame(logEntry('4-2', 'logs:etl:ws-2:run-1', 'elsewhere')) +
        logFrame(logEntry('4-3', CHANNEL_B, 'b')),
    );
    await all.waitFor(2);
    expect(all.messages()).toEqual(['a', 'b']);
  });

  it('drops a stream that sends an endless event and resumes from the cursor', async () => {
    connect();
    const collector = new Collector();
    client.subscribe(CHANNEL_A, { onLogs: collector.onLogs });
    const first = await server.next();
    openStream(first.res);
    first.res.write(logFrame(logEntry('9-1', CHANNEL_A, 'before')));
    await collector.waitFor(1);
    // 9 MB of one data line that never ends: more than any entry can be.
    const line = `event: log\ndata: ${'x'.repeat(1024 * 1024)}`;
    first.res.write(line);
    for (let i = 0; i < 8; i++) first.res.write('x'.repeat(1024 * 1024));
    const second = await server.next();
    expect(second.req.headers['last-event-id']).toBe('9-1');
    openStream(second.res);
    second.res.write(logFrame(logEntry('9-2', CHANNEL_A, 'after')));
    await collector.waitFor(2);
    expect(collector.messages()).toEqual(['before', 'after']);
    expect(client.stats().malformed).toBe(1);
  });
});
