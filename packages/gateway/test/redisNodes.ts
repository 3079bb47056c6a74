import type { Gateway, GatewayOptions } from '@logs-sse/gateway';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { RedisStore } from '../src/store/redis/redisStore';
import type { RedisStoreOptions } from '../src/store/redis/redisStoreOptions';
import { startGateway } from './helpers';
import { type RedisServer, startRedis } from './redisServer';

/** One gateway of a deployment: its own Redis store (connections) on a shared Redis and prefix. */
export interface GatewayNode {
  gateway: Gateway;
  store: RedisStore;
  url: string;
  stop(): Promise<void>;
}

export async function startNode(
  redisUrl: string,
  prefix: string,
  options: { store?: RedisStoreOptions; gateway?: GatewayOptions } = {},
): Promise<GatewayNode> {
  const store = new RedisStore({ url: redisUrl, prefix, ...options.store });
  await store.ready();
  const { gateway, url } = await startGateway({ store, ...options.gateway });
  return {
    gateway,
    store,
    url,
    async stop() {
      await gateway.close();
      await store.close();
    },
  };
}

/** Ids strictly increase: nothing twice, nothing out of order. */
export function strictlyIncreasing(
  ids: readonly (string | undefined)[],
  compare: (a: string, b: string) => number,
) {
  for (let i = 1; i < ids.length; i++) if (compare(ids[i - 1]!, ids[i]!) >= 0) return false;
  return true;
}

/**
 * For a test file (or describe block): one private redis-server, and `deploy(count)` to start that many
 * gateways sharing a key prefix of their own, so each test sees a fresh deployment. Gateways stop after
 * each test, the server after the last.
 */
export function redisDeployments(name: string) {
  let redis: RedisServer | undefined;
  let nodes: GatewayNode[] = [];
  let deployment = 0;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    nodes = [];
  });
  afterAll(async () => {
    await redis?.dispose();
  });
  return {
    get url(): string {
      return redis!.url;
    },
    /** A prefix no other deployment of the file uses. */
    prefix(): string {
      return `${name}${++deployment}`;
    },
    /** Stops these gateways after the test, with those `deploy` started. */
    track(...started: GatewayNode[]): void {
      nodes.push(...started);
    },
    async deploy(count: number): Promise<GatewayNode[]> {
      const prefix = this.prefix();
      const started: GatewayNode[] = [];
      for (let i = 0; i < count; i++) started.push(await startNode(redis!.url, prefix));
      nodes.push(...started);
      return started;
    },
  };
}
