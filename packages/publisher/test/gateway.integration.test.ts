import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLogsPublisher,
  type LogsPublisher,
  type PublisherError,
  type PublisherOptions,
} from '../src/index';
import { freePort, history, poll, type RunningGateway, sharedStore, startGateway } from './helpers/gateway';
import { eventually, ManualTimers } from './helpers/manualTimers';

const CHANNEL = 'logs:svc:ws:r';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function publisher(url: string, options: Partial<PublisherOptions> = {}): LogsPublisher {
  const pub = createLogsPublisher({
    url,
    service: 'svc',
    heartbeatIntervalMs: 0,
    retryBaseMs: 10,
    retryMaxMs: 100,
    ...options,
  });
  cleanups.push(() => pub.close());
  return pub;
}

async function gatewayOn(
  port = 0,
  options: Parameters<typeof startGateway>[0] = {},
): Promise<RunningGateway> {
  const running = await startGateway(options, port);
  cleanups.push(() => running.gateway.close());
  return running;
}

const entry = (i: number) => ({
  workspace_id: 'ws',
  resource_id: 'r',
  level: 'info',
  message: `line ${i}`,
  i,
});
const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));

function expectAddsUp(pub: LogsPublisher): void {
  const s = pub.stats();
  expect(s.generated).toBe(s.sent + s.dropped + s.queueSize);
}

describe('against the real gateway', () => {
  it('with the gateway down: 200,000 publishes stay cheap and bounded; when it comes up the newest drain in order', async () => {
    const port = await freePort();
    const pub = publisher(`http://127.0.0.1:${port}`, {
      maxQueueSize: 10_000,
      maxQueueBytes: 4 * 1024 * 1024,
    });
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const heapBefore = process.memoryUsage().heapUsed;
    let notBoolean = 0;
    for (let i = 0; i < 200_000; i++) {
      const result: unknown = pub.publish(entry(i));
      // publish() never hands back a promise: nothing for the caller to await, nothing to reject.
      if (typeof result !== 'boolean') notBoolean++;
      if (i % 10_000 === 9_999) {
        const s = pub.stats();
        expect(s.queueSize).toBeLessThanOrEqual(10_000);
        expect(s.queueBytes).toBeLessThanOrEqual(4 * 1024 * 1024);
        expectAddsUp(pub);
        await yieldToLoop();
      }
    }
    delay.disable();
    expect(notBoolean).toBe(0);
    // Very generous: each stretch between yields is 10,000 publishes; a blocking send would take far longer.
    expect(delay.max / 1e6).toBeLessThan(2000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
    const down = pub.stats();
    expect(down).toMatchObject({ generated: 200_000, sent: 0, queueSize: 10_000 });
    expect(down.droppedBy.overflow).toBe(190_000);
    expect(down.retries).toBeGreaterThan(0);

    const { url } = await gatewayOn(port);
    expect(await pub.flush()).toBe(true);
    const after = pub.stats();
    expect(after).toMatchObject({ sent: 10_000, queueSize: 0, connectionStatus: 'connected' });
    expectAddsUp(pub);
    const kept = (await history(url, CHANNEL)).map((e) => e.i as number);
    expect(kept).toHaveLength(10_000);
    for (let k = 1; k < kept.length; k++) expect(kept[k]!).toBeGreaterThan(kept[k - 1]!);
    // A batch already on the wire when the queue overflowed is not dropped; everything else is the newest.
    expect(kept.slice(-9_500)).toEqual(Array.from({ length: 9_500 }, (_, k) => 190_500 + k));
  });

  it('delivers hostile strings, nested fields and batches that span packs exactly as JSON.stringify reads them', async () => {
    const { url } = await gatewayOn();
    // Batches of 400 over packs of 500: most bodies go out in two pieces.
    const pub = publisher(url, { batchSize: 400 });
    const hostile = [
      '\ud800 lone',
      'pair 😀 \udfff',
      'ctl \u0000\u001f\n\t"\\',
      'sep \u2028\u2029',
      'é'.repeat(5_000),
    ];
    const sent: Record<string, unknown>[] = [];
    for (let block = 0; block < 3; block++) {
      for (let i = block * 500; i < (block + 1) * 500; i++) {
        const entry = {
          workspace_id: 'ws',
          resource_id: 'r',
          message: hostile[i % hostile.length]!,
          i,
          nested: { list: [i, 'x\u2028', { deep: hostile[(i + 1) % hostile.length] }], none: null },
          gone: undefined,
          fn: () => i,
        };
        expect(pub.publish(entry)).toBe(true);
        sent.push(JSON.parse(JSON.stringify(entry)));
      }
      await yieldToLoop();
    }
    const cyclic: Record<string, unknown> = { workspace_id: 'ws', resource_id: 'r', message: 'loop' };
    cyclic.self = cyclic;
    expect(pub.publish(cyclic)).toBe(false);
    expect(pub.publish({ workspace_id: 'ws', resource_id: 'r', message: 'big', n: 10n })).toBe(false);
    expect(await pub.flush()).toBe(true);
    expect(pub.stats()).toMatchObject({ sent: 1500, dropped: 2, droppedBy: { invalid: 2 }, queueSize: 0 });
    const stored = await history(url, CHANNEL, 2000);
    expect(stored.map(({ message, i, nested, gone, fn }) => ({ message, i, nested, gone, fn }))).toEqual(
      sent.map(({ message, i, nested }) => ({ message, i, nested, gone: undefined, fn: undefined })),
    );
  });

  it('close() delivers everything published before it', async () => {
    const { url } = await gatewayOn();
    const pub = publisher(url, { flushIntervalMs: 1000 });
    for (let i = 0; i < 5_000; i++) pub.publish(entry(i));
    pub.status('r', { workspace_id: 'ws', phase: 'active', progress: 100 });
    pub.done('r', { workspace_id: 'ws' });
    await pub.close();
    const kept = await history(url, CHANNEL);
    expect(kept.slice(0, 5_000).map((e) => e.i)).toEqual(Array.from({ length: 5_000 }, (_, k) => k));
    expect(kept[5_000]).toMatchObject({ phase: 'active', progress: 100 });
    expect(kept).toHaveLength(5_002);
    expect(pub.stats()).toMatchObject({ sent: 5_002, dropped: 0, queueSize: 0 });
  });

  it('sends gzip bodies the gateway reads', async () => {
    const { url, gateway } = await gatewayOn();
    const pub = publisher(url, { gzip: true });
    for (let i = 0; i < 1_000; i++) pub.publish(entry(i));
    expect(await pub.flush()).toBe(true);
    expect((await history(url, CHANNEL)).map((e) => e.i)).toEqual(Array.from({ length: 1_000 }, (_, k) => k));
    expect(gateway.stats().logs.in).toBe(1_000);
  });

  it('a gateway restart mid-stream loses nothing that was acknowledged', async () => {
    const store = sharedStore();
    cleanups.push(() => store.close());
    const first = await startGateway({ store });
    const pub = publisher(first.url, { batchSize: 200 });
    let i = 0;
    for (let round = 0; round < 40; round++) {
      for (let k = 0; k < 250; k++) pub.publish(entry(i++));
      if (round === 15) await first.gateway.close();
      if (round === 25) await gatewayOn(first.port, { store });
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(await pub.flush()).toBe(true);
    const s = pub.stats();
    expect(s).toMatchObject({ generated: 10_000, dropped: 0, queueSize: 0, sent: 10_000 });
    expect(s.retries).toBeGreaterThan(0);
    const kept = (await history(first.url, CHANNEL)).map((e) => e.i as number);
    // At least once: a batch whose answer was lost in the restart may be stored twice, never lost.
    expect(new Set(kept).size).toBe(10_000);
    const firstSeen = kept.filter((v, k) => kept.indexOf(v) === k);
    expect(firstSeen).toEqual(Array.from({ length: 10_000 }, (_, k) => k));
  });

  it('splits batches over the gateway body limit and drops a lone entry that is too large', async () => {
    const { url } = await gatewayOn(0, { maxBodyBytes: 4096 });
    const pub = publisher(url);
    for (let i = 0; i < 200; i++) pub.publish({ ...entry(i), pad: 'p'.repeat(100) });
    pub.publish({ ...entry(200), pad: 'p'.repeat(10_000) });
    pub.publish(entry(201));
    expect(await pub.flush()).toBe(true);
    const kept = (await history(url, CHANNEL)).map((e) => e.i);
    expect(kept).toEqual([...Array.from({ length: 200 }, (_, k) => k), 201]);
    expect(pub.stats()).toMatchObject({ sent: 201, droppedBy: { tooLarge: 1 }, retries: 0 });
  });

  it('drops only the entry nested too deep for the gateway to read, not the batch it came in', async () => {
    const { url } = await gatewayOn(0);
    const pub = publisher(url);
    // The gateway refuses a body nested past 128 levels before it parses a line: a 400 for the batch.
    const deep = JSON.parse(`${'{"a":'.repeat(200)}1${'}'.repeat(200)}`);
    for (let i = 0; i < 40; i++) pub.publish(i === 17 ? { ...entry(i), deep } : entry(i));
    expect(await pub.flush()).toBe(true);
    const kept = (await history(url, CHANNEL)).map((e) => e.i);
    expect(kept).toEqual(Array.from({ length: 40 }, (_, k) => k).filter((k) => k !== 17));
    expect(pub.stats()).toMatchObject({ sent: 39, droppedBy: { invalid: 1 }, retries: 0 });
  });

  it('counts 401, 403 and invalid entries without retrying them', async () => {
    const { url } = await gatewayOn(0, {
      auth: {
        publishers: [
          { token: 'other-service-token', services: ['other'] },
          { token: 'svc-service-token-1', services: ['svc'] },
        ],
      },
    });
    const forbidden = publisher(url, { token: 'other-service-token' });
    const unknown = publisher(url, { token: 'nope' });
    const allowed = publisher(url, { token: 'svc-service-token-1' });
    for (let i = 0; i < 10; i++) {
      forbidden.publish(entry(i));
      unknown.publish(entry(i));
      // Passes the publisher's cheap checks, fails the gateway's: not an ISO 8601 timestamp.
      allowed.publish(i % 2 === 0 ? entry(i) : { ...entry(i), timestamp: 'yesterday' });
    }
    await Promise.all([forbidden.flush(), unknown.flush(), allowed.flush()]);
    expect(forbidden.stats()).toMatchObject({
      sent: 0,
      retries: 0,
      droppedBy: { refused: 10 },
      connectionStatus: 'refused',
    });
    expect(forbidden.stats().lastError).toMatchObject({ code: 'refused', status: 403 });
    expect(unknown.stats()).toMatchObject({ sent: 0, retries: 0, droppedBy: { refused: 10 } });
    expect(unknown.stats().lastError).toMatchObject({ status: 401 });
    expect(allowed.stats()).toMatchObject({ sent: 5, retries: 0, droppedBy: { invalid: 5 } });
    expectAddsUp(allowed);
  });

  it('through a rate-limited gateway: 3x the limit arrives, each entry once and in order, after retrying the 429s', async () => {
    // One clock for both sides: the test moves it to each Retry-After the gateway asks for.
    const timers = new ManualTimers();
    const { url, gateway } = await gatewayOn(0, {
      now: timers.now,
      publishRateLimit: { entriesPerSecond: 100 },
    });
    const errors: PublisherError[] = [];
    const pub = publisher(url, {
      timers,
      now: timers.now,
      batchSize: 50,
      retryMaxMs: 60_000,
      random: () => 0,
      onError: (error) => errors.push(error),
    });
    for (let i = 0; i < 300; i++) pub.publish(entry(i));
    let flushed = false;
    const flushing = pub.flush().then((done) => {
      flushed = done;
    });
    timers.advance(0);
    while (!flushed) {
      await eventually(() => flushed || timers.delays.length > 0);
      if (!flushed) timers.advance(Math.max(...timers.delays));
    }
    await flushing;

    const stored = await history(url, CHANNEL);
    expect(stored.map((e) => e.i)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    // Two batches of 50 use up the burst of 100; the third waits a second for the next 100; and again.
    expect(pub.stats()).toMatchObject({ sent: 300, dropped: 0, retries: 2, batchesSent: 6 });
    expect(errors.map((e) => [e.code, e.status])).toEqual([
      ['rate_limited', 429],
      ['rate_limited', 429],
    ]);
    expect(gateway.stats().logs).toMatchObject({ in: 300, rateLimited: 100 });
  });

  it('heartbeats reach /admin/logs/stats', async () => {
    const { url } = await gatewayOn();
    const pub = publisher(url, { heartbeatIntervalMs: 20, publisherId: 'billing-7' });
    for (let i = 0; i < 3; i++) pub.publish(entry(i));
    await pub.flush();
    const info = await poll(async () => {
      const stats = (await (await fetch(`${url}/admin/logs/stats`)).json()) as {
        publishers: {
          publisherId: string;
          service: string | null;
          logsIn: number;
          lastHeartbeat: { stats: { sent?: number } } | null;
        }[];
      };
      const mine = stats.publishers.find((p) => p.publisherId === 'billing-7');
      return mine?.lastHeartbeat?.stats.sent === 3 ? mine : undefined;
    });
    expect(info).toMatchObject({
      service: 'svc',
      logsIn: 3,
      lastHeartbeat: { stats: { generated: 3, dropped: 0 } },
    });
  });
});
