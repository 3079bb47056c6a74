import { afterEach, describe, expect, it } from 'vitest';
import { createLogsClient } from '../src/index';
import { expected, publishRange, startGateway } from './gatewayHelpers';
import { CHANNEL_A, CHANNEL_B, Collector, waitForStatus } from './helpers';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('createLogsClient({ bufferSize })', () => {
  it('keeps exactly bufferSize entries per channel, the newest, and counts the rest as dropped', async () => {
    const { gateway, url } = await startGateway();
    cleanups.push(() => gateway.close());
    const client = createLogsClient({ url, bufferSize: 3, debounceMs: 5 });
    cleanups.push(() => client.close());
    const a = new Collector();
    const b = new Collector();
    client.subscribe(CHANNEL_A, { onLogs: a.onLogs });
    client.subscribe(CHANNEL_B, { onLogs: b.onLogs });
    await waitForStatus(client, 'open');

    // One entry fewer than the buffer holds, then as many, then one more: each bound shows.
    await publishRange(url, CHANNEL_A, 1, 2);
    await a.waitFor(2);
    expect(client.getLogs(CHANNEL_A).map((entry) => entry.message)).toEqual(expected(CHANNEL_A, 1, 2));
    await publishRange(url, CHANNEL_A, 3, 3);
    await a.waitFor(3);
    expect(client.getLogs(CHANNEL_A).map((entry) => entry.message)).toEqual(expected(CHANNEL_A, 1, 3));
    await publishRange(url, CHANNEL_A, 4, 4);
    await a.waitFor(4);
    expect(client.getLogs(CHANNEL_A).map((entry) => entry.message)).toEqual(expected(CHANNEL_A, 2, 4));

    // Each channel has a buffer of its own.
    await publishRange(url, CHANNEL_B, 1, 10);
    await b.waitFor(10);
    expect(client.getLogs(CHANNEL_B).map((entry) => entry.message)).toEqual(expected(CHANNEL_B, 8, 10));
    expect(client.getLogs(CHANNEL_A).map((entry) => entry.message)).toEqual(expected(CHANNEL_A, 2, 4));
    // Every entry reached its subscriber, whatever the buffer kept.
    expect(a.messages()).toEqual(expected(CHANNEL_A, 1, 4));
    expect(b.messages()).toEqual(expected(CHANNEL_B, 1, 10));
    expect(client.stats().dropped).toBe(1 + 7);
  });
});
