import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareCursors, type LogEntry } from '@logs-sse/protocol';
import { afterEach, describe, expect, it } from 'vitest';
// The client and publisher SDKs, as an app uses them (workspace sources, resolved by path).
import { createLogsClient } from '../../client/src/index';
import { createLogsPublisher } from '../../publisher/src/index';
import { type GatewayNode, startNode, strictlyIncreasing } from './redisNodes';
import { RoundRobinProxy } from './redisProxy';
import { type RedisServer, startRedis } from './redisServer';

const here = dirname(fileURLToPath(import.meta.url));
const CHANNEL = 'logs:svc:ws:sdk';

let redis: RedisServer | undefined;
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await redis?.dispose();
  redis = undefined;
});

/** A client subscribed to CHANNEL that lets the test await the moment it holds a given entry. */
function subscribe(url: string) {
  const client = createLogsClient({ url, reconnect: { initialDelayMs: 20, maxDelayMs: 200 }, debounceMs: 1 });
  cleanups.push(() => client.close());
  const received: LogEntry[] = [];
  let wake: (() => void) | undefined;
  client.onConnectionStatus(() => wake?.());
  client.subscribe(CHANNEL, {
    onLog: (entry) => {
      received.push(entry);
      wake?.();
    },
  });
  return {
    client,
    received,
    async until(predicate: () => boolean): Promise<void> {
      while (!predicate()) await new Promise<void>((resolve) => (wake = resolve));
    },
  };
}

function publisher(url: string, onError?: (error: { code: string }) => void) {
  const pub = createLogsPublisher({
    ...(onError && { onError }),
    url,
    service: 'svc',
    retryBaseMs: 20,
    retryMaxMs: 200,
    flushIntervalMs: 5,
    handleExit: false,
  });
  cleanups.push(() => pub.close());
  return pub;
}

const messages = (entries: readonly LogEntry[]) => entries.map((e) => e.message);

describe('the SDKs across Redis and gateway failures', () => {
  it('publisher and client ride out a Redis restart: nothing acknowledged is lost, nothing comes twice', async () => {
    redis = await startRedis({ appendOnly: true });
    const a = await startNode(redis.url, 'sdk', { gateway: { retryMs: 50 } });
    const b = await startNode(redis.url, 'sdk', { gateway: { retryMs: 50 } });
    cleanups.push(
      () => a.stop(),
      () => b.stop(),
    );
    const sub = subscribe(b.url);
    let retriesSeen: () => void = () => {};
    const retried = new Promise<void>((resolve) => (retriesSeen = resolve));
    const errors: string[] = [];
    // The first error reported shows that the outage reached the publisher.
    const pub = publisher(a.url, (error) => {
      errors.push(error.code);
      retriesSeen();
    });
    const all: string[] = [];
    const send = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        all.push(`e${i}`);
        pub.publish({ workspace_id: 'ws', resource_id: 'sdk', message: `e${i}` });
      }
    };

    // Entries published before the stream opens are not live for it (the client asked for no tail).
    await sub.until(() => sub.client.status === 'open');
    send(0, 100);
    await sub.until(() => sub.received.length >= 30);
    await redis.kill();
    send(100, 200);
    await retried;
    await redis.start();
    send(200, 250);
    expect(await pub.flush({ timeoutMs: 20_000 })).toBe(true);
    await sub.until(() => messages(sub.received).includes('e249'));

    const stats = pub.stats();
    expect(stats.sent).toBeGreaterThanOrEqual(250);
    expect(stats.dropped).toBe(0);
    expect(stats.retries).toBeGreaterThan(0);
    const got = messages(sub.received);
    // Every entry the gateway acknowledged reached the subscriber, in order, each cursor once.
    expect(new Set(got)).toEqual(new Set(all));
    expect(
      strictlyIncreasing(
        sub.received.map((e) => e.id),
        compareCursors,
      ),
    ).toBe(true);
    // A batch refused with 503 after Redis stored it (Redis died before answering) is sent again by the
    // publisher; only such a batch may show up twice, under new cursors.
    expect(got.length - all.length).toBeLessThanOrEqual(stats.retries * 100);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('clients reconnect through the load balancer to another gateway when theirs is killed', async () => {
    redis = await startRedis();
    const first = await spawnGateway(redis.url, 'failover');
    const second = await spawnGateway(redis.url, 'failover');
    const proxy = new RoundRobinProxy([first.port, second.port]);
    await proxy.listen();
    cleanups.push(() => proxy.close());

    // The first connection through the proxy goes to the first gateway: the client's stream.
    const sub = subscribe(proxy.url);
    await sub.until(() => sub.client.status === 'open');
    expect(proxy.routed.get(first.port)).toBe(1);
    const direct = await startNode(redis.url, 'failover');
    cleanups.push(() => direct.stop());
    const pub = publisher(direct.url);
    const all: string[] = [];
    for (let i = 0; i < 40; i++) {
      all.push(`k${i}`);
      pub.publish({ workspace_id: 'ws', resource_id: 'sdk', message: `k${i}` });
    }
    await sub.until(() => sub.received.length >= 20);

    first.process.kill('SIGKILL');
    await new Promise((resolve) => first.process.once('exit', resolve));
    for (let i = 40; i < 80; i++) {
      all.push(`k${i}`);
      pub.publish({ workspace_id: 'ws', resource_id: 'sdk', message: `k${i}` });
    }
    expect(await pub.flush({ timeoutMs: 20_000 })).toBe(true);
    await sub.until(() => messages(sub.received).includes('k79'));

    expect(messages(sub.received)).toEqual(all);
    expect(
      strictlyIncreasing(
        sub.received.map((e) => e.id),
        compareCursors,
      ),
    ).toBe(true);
    expect(proxy.routed.get(second.port)).toBeGreaterThanOrEqual(1);
  });
});

interface ChildGateway {
  process: ChildProcess;
  port: number;
}

/** A gateway in a child process, so it can be killed with SIGKILL like a crashed host. */
async function spawnGateway(redisUrl: string, prefix: string): Promise<ChildGateway> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@logs-sse/source',
      '--import',
      'tsx',
      join(here, 'redisGatewayProcess.ts'),
      redisUrl,
      prefix,
    ],
    { cwd: join(here, '..'), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = /^(http:\/\/\S+)\n/m.exec(output);
      if (line) resolve(line[1]!);
    });
    child.once('exit', (code) => reject(new Error(`gateway process exited with ${code}`)));
  });
  return { process: child, port: Number(new URL(url).port) };
}

export type { GatewayNode };
