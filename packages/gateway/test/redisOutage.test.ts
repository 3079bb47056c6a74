import { compareCursors } from '@logs-sse/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { call, log, openStream, publish, type SseReader } from './helpers';
import { type GatewayNode, startNode, strictlyIncreasing } from './redisNodes';
import { type RedisServer, startRedis } from './redisServer';

let redis: RedisServer | undefined;
let nodes: GatewayNode[] = [];
let readers: SseReader[] = [];

afterEach(async () => {
  for (const reader of readers) reader.close();
  readers = [];
  await Promise.all(nodes.map((n) => n.stop()));
  nodes = [];
  await redis?.dispose();
  redis = undefined;
});

async function deploy(server: RedisServer, count: number) {
  for (let i = 0; i < count; i++) {
    nodes.push(await startNode(server.url, 'outage', { gateway: { heartbeatSeconds: 0.05 } }));
  }
  return nodes;
}

async function stream(url: string, query: string, headers: Record<string, string> = {}) {
  const reader = await openStream(url, query, headers);
  readers.push(reader);
  return reader;
}

const logs = (reader: SseReader) => reader.events.filter((e) => e.event === 'log');
const messages = (reader: SseReader) => logs(reader).map((e) => JSON.parse(e.data).message as string);

/** Resolves once the node's store has noticed that Redis is gone. */
function notReady(node: GatewayNode): Promise<void> {
  return new Promise((resolve) => {
    const off = node.store.onReadyChange((ready) => {
      if (ready) return;
      off();
      resolve();
    });
    if (!node.store.isReady()) {
      off();
      resolve();
    }
  });
}

/** Waits until every node's store reports Redis as reachable again (ioredis reconnects by itself). */
async function recovered(all: GatewayNode[]) {
  await Promise.all(all.map((n) => n.store.ready()));
}

describe('Redis going away and coming back', () => {
  it('answers 503 while Redis is down, keeps streams open, and resumes by itself', async () => {
    redis = await startRedis();
    const [a, b] = await deploy(redis, 2);
    const live = await stream(b!.url, 'channels=logs:svc:ws:o');
    const acked: string[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await publish(a!.url, log('o', `up-${i}`));
      expect(answer.status).toBe(202);
      acked.push(`up-${i}`);
    }
    await live.untilEvents('log', 5);

    await redis.kill();
    const down = await publish(a!.url, log('o', 'while-down'));
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('1');
    expect(down.json.error.code).toBe('unavailable');
    // Readiness follows once the client has noticed the closed connection.
    await notReady(a!);
    expect((await call(`${a!.url}/ready`)).status).toBe(503);
    expect((await call(`${a!.url}/health`)).status).toBe(200);
    // The stats still answer while Redis is away, from what the gateway last knew.
    expect(a!.gateway.stats().redis?.connected).toBe(false);
    expect(a!.store.stats().redis.connected).toBe(false);

    // The open stream stays open and keeps receiving heartbeats.
    const beats = live.comments.length;
    await live.until((r) => r.comments.length >= beats + 2, 'heartbeats while Redis is down');
    expect(live.ended).toBe(false);

    await redis.start();
    await recovered([a!, b!]);
    for (let i = 0; i < 5; i++) {
      const answer = await publish(i % 2 === 0 ? a!.url : b!.url, log('o', `back-${i}`));
      expect(answer.status).toBe(202);
      acked.push(`back-${i}`);
    }
    await live.untilEvents('log', 10);
    expect(messages(live)).toEqual(acked);
    expect(
      strictlyIncreasing(
        logs(live).map((e) => e.id),
        compareCursors,
      ),
    ).toBe(true);
    expect((await call(`${a!.url}/ready`)).status).toBe(200);
    expect(a!.store.stats().redis.reconnects).toBeGreaterThan(0);

    // A cursor from before the outage still resumes: Redis kept nothing on disk, so what remains is
    // what was written after it came back, each entry once.
    const resumed = await stream(a!.url, 'channels=logs:svc:ws:o', { 'last-event-id': logs(live)[2]!.id! });
    await resumed.untilEvents('log', 5);
    expect(messages(resumed)).toEqual(acked.slice(5));
  });

  it('loses no acknowledged entry and sends none twice when Redis dies during a publishing burst', async () => {
    redis = await startRedis({ appendOnly: true });
    const [a, b] = await deploy(redis, 2);
    const live = await stream(b!.url, 'channels=logs:svc:ws:burst');
    const acked = new Set<string>();
    const refused: string[] = [];
    let n = 0;
    const burst = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const message = `m${n++}`;
        const answer = await publish((n % 2 === 0 ? a : b)!.url, log('burst', message));
        if (answer.status === 202) acked.add(message);
        else {
          expect(answer.status).toBe(503);
          refused.push(message);
        }
      }
    };
    const publishing = burst(200);
    // Kill Redis while the burst is under way, once some entries have gone through.
    await live.untilEvents('log', 20);
    await redis.kill();
    await publishing;
    expect(refused.length).toBeGreaterThan(0);
    await redis.start();
    await recovered([a!, b!]);
    await burst(20);
    const last = `m${n - 1}`;
    expect(acked.has(last)).toBe(true);
    await live.until((r) => messages(r).includes(last), 'the last entry');

    const got = messages(live);
    for (const message of acked) expect(got).toContain(message);
    expect(
      strictlyIncreasing(
        logs(live).map((e) => e.id),
        compareCursors,
      ),
    ).toBe(true);
    // A refused publish may still have been stored if Redis died between the write and the answer:
    // such an entry shows up once, never twice.
    expect(new Set(got).size).toBe(got.length);
    for (const message of got) expect(acked.has(message) || refused.includes(message)).toBe(true);
  });

  it('keeps history across a Redis restart when Redis persists (appendonly)', async () => {
    redis = await startRedis({ appendOnly: true });
    const [a] = await deploy(redis, 1);
    await publish(a!.url, { logs: Array.from({ length: 6 }, (_, i) => log('p', `kept-${i}`)) });
    const before = await call(`${a!.url}/api/logs/history?channel=logs:svc:ws:p`);
    expect(before.json.logs).toHaveLength(6);

    await redis.kill();
    await redis.start();
    await recovered([a!]);
    // A gateway started after the restart reads the same history with the same cursors.
    const [, b] = await deploy(redis, 1).then(() => nodes);
    const after = await call(`${b!.url}/api/logs/history?channel=logs:svc:ws:p`);
    expect(after.json.logs).toEqual(before.json.logs);

    const resumed = await stream(b!.url, 'channels=logs:svc:ws:p', {
      'last-event-id': before.json.logs[3].id,
    });
    await resumed.untilEvents('log', 2);
    expect(messages(resumed)).toEqual(['kept-4', 'kept-5']);
    await publish(a!.url, log('p', 'new'));
    await resumed.untilEvents('log', 3);
    expect(compareCursors(logs(resumed)[2]!.id!, before.json.logs[5].id)).toBeGreaterThan(0);
  });
});
