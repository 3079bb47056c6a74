import type { createGateway, Gateway } from '@logs-sse/gateway';
import { API_PATHS, type LogEntry, type PublishResult } from '@logs-sse/protocol';
import { startGateway as startShared } from '@logs-sse/testing';
import { expect } from 'vitest';

export type GatewayOptions = NonNullable<Parameters<typeof createGateway>[0]>;

/** A real gateway on a loopback port, quiet, with a 1 s heartbeat so stalls show within seconds. */
export async function startGateway(
  options: GatewayOptions = {},
  port = 0,
): Promise<{ gateway: Gateway; url: string; port: number }> {
  return startShared({ heartbeatSeconds: 1, ...options }, { port });
}

/** Publishes log lines `${prefix}${from}` ... `${prefix}${to}` to a channel with a plain POST. */
export async function publishRange(
  url: string,
  channel: string,
  from: number,
  to: number,
  headers: Record<string, string> = {},
): Promise<void> {
  const logs = [];
  for (let i = from; i <= to; i++) logs.push({ channel, level: 'info', message: `${channel}#${i}` });
  const response = await fetch(`${url}${API_PATHS.publish}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ logs }),
  });
  expect(response.status).toBe(202);
  const result = (await response.json()) as PublishResult;
  expect(result.accepted).toBe(to - from + 1);
}

/** The messages a channel should have received for lines `from`..`to`. */
export function expected(channel: string, from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `${channel}#${from + i}`);
}

/** Every id strictly increasing: nothing twice, nothing out of order. */
export function expectIncreasingIds(entries: readonly LogEntry[]): void {
  const ids = entries.map((entry) => entry.id.split('-').map(Number) as [number, number]);
  for (let i = 1; i < ids.length; i++) {
    const [ms, seq] = ids[i]!;
    const [pms, pseq] = ids[i - 1]!;
    expect(ms > pms || (ms === pms && seq > pseq), `ids ${entries[i - 1]!.id} then ${entries[i]!.id}`).toBe(
      true,
    );
  }
}
