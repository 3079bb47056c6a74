import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogsClient } from '../src/index';
import { expected, publishRange, startGateway } from './gatewayHelpers';
import { CHANNEL_A, CHANNEL_B, Collector, waitForStatus } from './helpers';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a channel subscribed again after it was removed', () => {
  it('delivers the entries that follow to its new subscriber, not to the removed channel', async () => {
    const { gateway, url } = await startGateway();
    cleanups.push(() => gateway.close());
    const client = createLogsClient({ url, debounceMs: 5 });
    cleanups.push(() => client.close());
    const first = new Collector();
    const b = new Collector();
    const stopFirst = client.subscribe(CHANNEL_A, { onLogs: first.onLogs });
    client.subscribe(CHANNEL_B, { onLogs: b.onLogs });
    await waitForStatus(client, 'open');
    // The client remembers the channel of the last entry: A's, from here on.
    await publishRange(url, CHANNEL_A, 1, 2);
    await first.waitFor(2);

    // A is removed (the stream carries B alone), then subscribed again: a new channel of the same name.
    stopFirst();
    await vi.waitFor(() => expect(client.stats()).toMatchObject({ channels: 1, status: 'open' }));
    const connections = client.stats().connections;
    const second = new Collector();
    client.subscribe(CHANNEL_A, { onLogs: second.onLogs });
    await vi.waitFor(() =>
      expect(client.stats()).toMatchObject({ channels: 2, connections: connections + 1, status: 'open' }),
    );

    // B's entry comes after A's on the stream: once B has it, A's have been handed on too.
    await publishRange(url, CHANNEL_A, 3, 4);
    await publishRange(url, CHANNEL_B, 1, 1);
    await b.waitFor(1);
    expect(second.messages()).toEqual(expected(CHANNEL_A, 3, 4));
    expect(client.getLogs(CHANNEL_A).map((entry) => entry.message)).toEqual(expected(CHANNEL_A, 3, 4));
    expect(first.messages()).toEqual(expected(CHANNEL_A, 1, 2));
  });
});
