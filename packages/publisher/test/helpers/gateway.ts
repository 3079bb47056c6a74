import { createServer } from 'node:net';
import { type Gateway, type GatewayOptions, MemoryStore } from '@logs-sse/gateway';
import { startGateway as startShared } from '@logs-sse/testing';

export interface RunningGateway {
  gateway: Gateway;
  url: string;
  port: number;
}

/** The real gateway on a loopback port; `port` 0 picks a free one. */
export async function startGateway(
  options: GatewayOptions & { store?: MemoryStore } = {},
  port = 0,
): Promise<RunningGateway> {
  return startShared({ historyPerChannel: 50_000, ...options }, { port });
}

/** A store that outlives gateways, as Redis would across a restart. */
export function sharedStore(): MemoryStore {
  return new MemoryStore({
    historyPerChannel: 50_000,
    historyTtlMs: 3_600_000,
    maxHistoryBytes: 512 * 1024 * 1024,
    now: Date.now,
  });
}

/** A loopback port nothing listens on (for now). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `GET /api/logs/history` for one channel: the entries the gateway kept, oldest first. */
export async function history(
  url: string,
  channel: string,
  tail = 50_000,
): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${url}/api/logs/history?channel=${encodeURIComponent(channel)}&tail=${tail}`);
  if (res.status !== 200) throw new Error(`history answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { logs: Record<string, unknown>[] }).logs;
}

/** Asks `probe` again every few milliseconds until it returns a value; gives up after `attempts`. */
export async function poll<T>(probe: () => Promise<T | undefined>, attempts = 1000): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('poll: no value');
}
