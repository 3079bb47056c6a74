import { afterEach, describe, expect, it } from 'vitest';
import {
  createLogsPublisher,
  type LogsPublisher,
  type PublisherError,
  type PublisherOptions,
} from '../src/index';
import { accept, LoopbackServer, type Responder } from './helpers/loopbackServer';
import { eventually, ManualTimers } from './helpers/manualTimers';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(respond: Responder = accept, options: Partial<PublisherOptions> = {}) {
  const server = await LoopbackServer.start(respond);
  const errors: PublisherError[] = [];
  const pub = createLogsPublisher({
    url: server.url,
    service: 'svc',
    heartbeatIntervalMs: 0,
    flushIntervalMs: 5,
    retryBaseMs: 5,
    retryMaxMs: 20,
    closeTimeoutMs: 1000,
    onError: (error) => errors.push(error),
    ...options,
  });
  cleanups.push(() => server.close());
  cleanups.push(async () => {
    const closing = pub.close();
    if (options.timers instanceof ManualTimers) options.timers.advance(60_000);
    await closing;
  });
  return { server, pub, errors };
}

const entry = (i: number) => ({ workspace_id: 'ws', resource_id: 'r', level: 'info', message: `m${i}`, i });

function publishRange(pub: LogsPublisher, from: number, to: number): void {
  for (let i = from; i < to; i++) pub.publish(entry(i));
}

describe('delivery to a loopback server', () => {
  it('sends NDJSON batches of at most batchSize, in order, over one keep-alive connection', async () => {
    const { server, pub } = await setup(accept, { batchSize: 100, token: 'secret' });
    publishRange(pub, 0, 1000);
    expect(await pub.flush()).toBe(true);
    expect(server.entries.map((e) => e.i)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(server.publishes.every((r) => r.lines.length <= 100)).toBe(true);
    expect(server.publishes[0]!.headers['content-type']).toBe('application/x-ndjson');
    expect(server.publishes[0]!.headers.authorization).toBe('Bearer secret');
    expect(server.connections).toBe(1);
    expect(pub.stats()).toMatchObject({
      sent: 1000,
      dropped: 0,
      queueSize: 0,
      connectionStatus: 'connected',
    });
    expect(pub.stats().batchesSent).toBe(server.publishes.length);
  });

  it('waits flushIntervalMs for a batch to fill, then sends what it has', async () => {
    const timers = new ManualTimers();
    const { server, pub } = await setup(accept, { timers, now: timers.now, flushIntervalMs: 50 });
    publishRange(pub, 0, 3);
    expect(timers.delays).toEqual([50]);
    timers.advance(49);
    expect(server.requests).toHaveLength(0);
    timers.advance(1);
    await server.until(() => server.requests.length === 1);
    expect(server.entries.map((e) => e.timestamp)).toEqual([
      timers.time - 50,
      timers.time - 50,
      timers.time - 50,
    ]);
  });

  it('compresses bodies with gzip when asked', async () => {
    const { server, pub } = await setup(accept, { gzip: true });
    publishRange(pub, 0, 50);
    await pub.flush();
    expect(server.publishes[0]!.headers['content-encoding']).toBe('gzip');
    expect(server.entries).toHaveLength(50);
  });

  it.each([
    [401, 'refused', 'refused'],
    [403, 'refused', 'refused'],
    [404, 'refused', 'unexpected_status'],
  ] as const)('drops and counts a %i without retrying it', async (status, reason, code) => {
    const { server, pub, errors } = await setup(() => ({
      status,
      body: { error: { code: 'forbidden', message: 'service not allowed' } },
    }));
    publishRange(pub, 0, 10);
    expect(await pub.flush()).toBe(true);
    expect(server.publishes).toHaveLength(1);
    expect(pub.stats().droppedBy[reason]).toBe(10);
    expect(pub.stats()).toMatchObject({ sent: 0, retries: 0, queueSize: 0 });
    expect(errors[0]).toMatchObject({ code, status, entries: 10 });
    if (status === 403) expect(pub.stats().connectionStatus).toBe('refused');
  });

  it('splits a batch a 400 refuses as a whole down to single entries, and drops those without retrying', async () => {
    const { server, pub, errors } = await setup(() => ({
      status: 400,
      body: { error: { code: 'invalid_json', message: 'the body nests too deep' } },
    }));
    publishRange(pub, 0, 8);
    expect(await pub.flush()).toBe(true);
    // Halving: at most 2n - 1 requests for n entries, and every entry ends up alone in one.
    expect(server.publishes.length).toBeGreaterThan(8);
    expect(server.publishes.length).toBeLessThan(16);
    const sizes = server.publishes.map((request) => request.lines.length);
    expect(sizes.filter((size) => size === 1)).toHaveLength(8);
    expect(pub.stats()).toMatchObject({ sent: 0, retries: 0, queueSize: 0, droppedBy: { invalid: 8 } });
    expect(errors.every((error) => error.code === 'invalid_entries' && error.status === 400)).toBe(true);
  });

  it('counts the entries a 202 rejects as invalid or refused', async () => {
    const { pub, errors } = await setup(() => ({
      status: 202,
      body: {
        accepted: 2,
        rejected: [
          { index: 1, error: { code: 'invalid_entry', message: 'bad' } },
          { index: 3, error: { code: 'forbidden', message: 'not yours' } },
        ],
      },
    }));
    publishRange(pub, 0, 4);
    await pub.flush();
    expect(pub.stats()).toMatchObject({ sent: 2, droppedBy: { invalid: 1, refused: 1 } });
    expect(errors[0]?.code).toBe('invalid_entries');
  });

  it('splits a batch the gateway finds too large, keeping order, and drops a lone entry that is', async () => {
    const { server, pub } = await setup((req) =>
      req.body.length > 200
        ? { status: 413, body: { error: { code: 'payload_too_large', message: 'big' } } }
        : accept(req, 0),
    );
    publishRange(pub, 0, 20);
    pub.publish({ ...entry(20), blob: 'x'.repeat(300) });
    pub.publish(entry(21));
    await pub.flush();
    const accepted = server.publishes.filter((r) => r.body.length <= 200).flatMap((r) => r.lines);
    expect(accepted.map((e) => e.i)).toEqual([...Array.from({ length: 20 }, (_, i) => i), 21]);
    expect(pub.stats()).toMatchObject({ sent: 21, droppedBy: { tooLarge: 1 }, retries: 0 });
  });

  it('honours Retry-After on a 429', async () => {
    const timers = new ManualTimers();
    const { server, pub, errors } = await setup(
      (_, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '7' } } : accept(_, index)),
      { timers, now: timers.now, retryMaxMs: 60_000, random: () => 0 },
    );
    publishRange(pub, 0, 5);
    const flushed = pub.flush();
    timers.advance(0);
    await eventually(() => pub.stats().retries === 1);
    expect(errors[0]).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(pub.stats().connectionStatus).toBe('retrying');
    expect(timers.delays).toEqual([7000]);
    timers.advance(6999);
    expect(server.requests).toHaveLength(1);
    timers.advance(1);
    expect(await flushed).toBe(true);
    expect(server.requests).toHaveLength(2);
    expect(server.entries.slice(5).map((e) => e.i)).toEqual([0, 1, 2, 3, 4]);
  });

  it('waits until the HTTP date of a Retry-After on a 503, capped at retryMaxMs', async () => {
    const timers = new ManualTimers();
    const at = (ms: number) => new Date(timers.now() + ms).toUTCString();
    const replies = [at(4000), at(120_000)];
    const { server, pub, errors } = await setup(
      (_, index) =>
        index < replies.length
          ? { status: 503, headers: { 'retry-after': replies[index]! } }
          : accept(_, index),
      { timers, now: timers.now, retryMaxMs: 60_000, random: () => 0 },
    );
    publishRange(pub, 0, 3);
    const flushed = pub.flush();
    timers.advance(0);
    await eventually(() => pub.stats().retries === 1);
    expect(errors[0]).toMatchObject({ code: 'server_error', status: 503 });
    expect(timers.delays).toEqual([4000]);
    timers.advance(3999);
    expect(server.requests).toHaveLength(1);
    timers.advance(1);
    await eventually(() => pub.stats().retries === 2);
    expect(timers.delays).toEqual([60_000]);
    timers.advance(60_000);
    expect(await flushed).toBe(true);
    expect(server.requests).toHaveLength(3);
    expect(server.entries.map((e) => e.i)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
  });

  it('retries 5xx with exponential backoff and full jitter', async () => {
    const timers = new ManualTimers();
    const { server, pub } = await setup((_, index) => (index < 3 ? { status: 503 } : accept(_, index)), {
      timers,
      now: timers.now,
      retryBaseMs: 100,
      retryMaxMs: 10_000,
      random: () => 0.5,
    });
    publishRange(pub, 0, 2);
    const flushed = pub.flush();
    timers.advance(0);
    for (const expected of [50, 100, 200]) {
      await eventually(() => timers.delays.length === 1);
      expect(timers.delays).toEqual([expected]);
      timers.advance(expected);
    }
    expect(await flushed).toBe(true);
    expect(server.requests).toHaveLength(4);
    expect(pub.stats()).toMatchObject({ sent: 2, retries: 3 });
  });

  it('retries after a connection reset and after an answer that never comes', async () => {
    const replies: ReturnType<Responder>[] = ['reset', 'hang'];
    const { server, pub, errors } = await setup((req, i) => replies[i] ?? accept(req, i), {
      requestTimeoutMs: 300,
    });
    publishRange(pub, 0, 3);
    expect(await pub.flush()).toBe(true);
    // On a loaded machine a later request may time out too; the first two faults are the ones staged.
    expect(errors.slice(0, 2).map((e) => e.code)).toEqual(['network_error', 'timeout']);
    expect(server.requests.length).toBeGreaterThanOrEqual(3);
    expect(server.requests.at(-1)!.lines.map((e) => e.i)).toEqual([0, 1, 2]);
    expect(pub.stats()).toMatchObject({ sent: 3 });
    expect(pub.stats().retries).toBe(server.requests.length - 1);
  });

  it('drop-oldest also drops from a batch waiting to be retried, so the newest entries survive an outage', async () => {
    let up = false;
    const { server, pub } = await setup((req, i) => (up ? accept(req, i) : 'reset'), {
      maxQueueSize: 10,
      batchSize: 5,
    });
    publishRange(pub, 0, 5);
    await eventually(() => pub.stats().retries >= 1);
    publishRange(pub, 5, 30);
    expect(pub.stats()).toMatchObject({ queueSize: 10, droppedBy: { overflow: 20 } });
    up = true;
    expect(await pub.flush()).toBe(true);
    // The last two requests are the ones the server accepted: 10 entries, in two batches of 5.
    const accepted = server.publishes.slice(-2).flatMap((r) => r.lines.map((e) => e.i));
    expect(accepted).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    expect(pub.stats()).toMatchObject({ generated: 30, sent: 10, dropped: 20, queueSize: 0 });
  });

  it('keeps delivering when onError throws', async () => {
    const { server, pub } = await setup((_, i) => (i === 0 ? { status: 500 } : accept(_, i)), {
      onError: () => {
        throw new Error('careless handler');
      },
    });
    publishRange(pub, 0, 3);
    expect(await pub.flush()).toBe(true);
    expect(server.entries.slice(3)).toHaveLength(3);
  });

  it('close() sends everything published before it, then stops', async () => {
    const { server, pub } = await setup(accept, { flushIntervalMs: 10_000 });
    publishRange(pub, 0, 1234);
    await pub.close();
    expect(server.entries).toHaveLength(1234);
    expect(pub.publish(entry(0))).toBe(false);
    expect(pub.stats()).toMatchObject({
      generated: 1235,
      sent: 1234,
      dropped: 1,
      connectionStatus: 'closed',
    });
  });

  it('close() gives up at its deadline and counts what it could not send', async () => {
    const timers = new ManualTimers();
    const { server, pub } = await setup(() => 'hang', { timers, now: timers.now, closeTimeoutMs: 1000 });
    publishRange(pub, 0, 10);
    const closing = pub.close();
    timers.advance(0);
    await server.until(() => server.requests.length === 1);
    timers.advance(1000);
    await closing;
    expect(pub.stats()).toMatchObject({ sent: 0, queueSize: 0, droppedBy: { closed: 10 } });
  });

  it('flush() with a timeout resolves false while the gateway is unreachable', async () => {
    const timers = new ManualTimers();
    const { server, pub } = await setup(() => 'reset', { timers, now: timers.now });
    publishRange(pub, 0, 2);
    const flushed = pub.flush({ timeoutMs: 500 });
    timers.advance(0);
    await server.until(() => server.requests.length === 1);
    timers.advance(500);
    expect(await flushed).toBe(false);
    expect(pub.stats().queueSize).toBe(2);
  });

  it('posts its stats to the heartbeat endpoint every heartbeatIntervalMs', async () => {
    const timers = new ManualTimers();
    const { server, pub } = await setup(accept, {
      timers,
      now: timers.now,
      heartbeatIntervalMs: 5000,
      publisherId: 'svc-1',
    });
    publishRange(pub, 0, 2);
    timers.advance(5000);
    await server.until(() => server.requests.some((r) => r.path === '/api/logs/publishers/heartbeat'));
    const beat = server.requests.find((r) => r.path === '/api/logs/publishers/heartbeat')!;
    expect(beat.headers['content-type']).toBe('application/json');
    expect(JSON.parse(beat.body)).toMatchObject({
      publisherId: 'svc-1',
      service: 'svc',
      stats: { generated: 2 },
    });
  });
});
