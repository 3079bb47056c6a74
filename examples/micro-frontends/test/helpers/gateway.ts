import type { Gateway } from '@logs-sse/gateway';
import { createLogsPublisher, type LogsPublisher } from '@logs-sse/publisher';
import { startGateway as startShared } from '@logs-sse/testing';

/** The channels the app's start page shows, as the sample services publish them. */
export const CHANNELS = {
  etl: 'logs:etl:demo:nightly-import',
  workflow: 'logs:workflow:demo:wf-llm-serving',
  functions: 'logs:functions:demo:thumbnailer',
  validator: 'logs:validator:demo:orders-schema',
  checkout: 'logs:checkout:demo:api',
} as const;

/** A real gateway on the port the app was built for, letting the app's origin read it. */
export async function startGateway(port: number, appUrl: string): Promise<{ gateway: Gateway; url: string }> {
  const { gateway, url } = await startShared({ corsOrigins: [new URL(appUrl).origin] }, { port });
  return { gateway, url };
}

/** A publisher that sends quickly and sends no heartbeats (nothing left running after a test). */
export function testPublisher(url: string, service: string): LogsPublisher {
  return createLogsPublisher({ url, service, flushIntervalMs: 5, heartbeatIntervalMs: 0 });
}

/** Numbers in [0, 1) from a seed, so the services' runs are the same every time. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
