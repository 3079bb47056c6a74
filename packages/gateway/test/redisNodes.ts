import type { Gateway, GatewayOptions } from '@logs-sse/gateway';
import { RedisStore } from '../src/store/redisStore';
import type { RedisStoreOptions } from '../src/store/redisStoreOptions';
import { startGateway } from './helpers';

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
