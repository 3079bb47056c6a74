import { API_PATHS, type HistoryResponse } from '@logs-sse/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogsClient, type LogsClient } from '../src/index';
import { FaultProxy } from './faultProxy';
import { expected, expectIncreasingIds, publishRange, startGateway } from './gatewayHelpers';
import { CHANNEL_A, CHANNEL_B, Collector, waitForStatus } from './helpers';

/** Fast retries: the faults below are about what arrives, not about how long the client waits. */
const RECONNECT = { initialDelayMs: 20, maxDelayMs: 200 };

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const { gateway, url, port } = await startGateway();
  const proxy = await FaultProxy.start(url);
  const client = createLogsClient({ url: proxy.url, reconnect: RECONNECT, debounceMs: 5 });
  const a = new Collector();
  const b = new Collector();
  client.subscribe(CHANNEL_A, { onLogs: a.onLogs });
  client.subscribe(CHANNEL_B, { onLogs: b.onLogs });
  const state = { gateway, url, port, proxy, client, a, b };
  cleanups.push(
    () => client.close(),
    () => proxy.close(),
    () => state.gateway.close(),
  );
  await waitForStatus(client, 'open');
  await vi.waitFor(() => expect(gateway.stats().connections).toBe(1));
  return state;
}

/** Resolves when the client's status next becomes `status` (not when it already is). */
function nextStatus(client: LogsClient, status: string): Promise<void> {
  return new Promise((resolve) => {
    const stop = client.onConnectionStatus((now) => {
      if (now !== status) return;
      stop();
      resolve();
    });
  });
}

function expectExactlyOnceInOrder(collector: Collector, channel: string, count: number): void {
  expect(collector.messages()).toEqual(expected(channel, 1, count));
  expectIncreasingIds(collector.entries);
}

describe('faults between client and gateway (real gateway, TCP fault proxy)', () => {
  it('loses nothing when connections are cut mid-stream and logs are published during the outage', async () => {
    const { url, proxy, client, a, b } = await setup();
    await publishRange(url, CHANNEL_A, 1, 30);
    await publishRange(url, CHANNEL_B, 1, 30);
    await Promise.all([a.waitFor(30), b.waitFor(30)]);

    for (let round = 1; round <= 3; round++) {
      proxy.refuse();
      const dropped = nextStatus(client, 'reconnecting');
      proxy.cutAll();
      await dropped;
      await publishRange(url, CHANNEL_A, round * 30 + 1, round * 30 + 30);
      await publishRange(url, CHANNEL_B, round * 30 + 1, round * 30 + 30);
      const reopened = nextStatus(client, 'open');
      proxy.resume();
      await reopened;
    }
    await Promise.all([a.waitFor(120), b.waitFor(120)]);
    expectExactlyOnceInOrder(a, CHANNEL_A, 120);
    expectExactlyOnceInOrder(b, CHANNEL_B, 120);
    expect(client.stats()).toMatchObject({ received: 240, duplicates: 0 });
    expect(client.stats().reconnects).toBeGreaterThanOrEqual(3);
  });

  it.each([
    ['an empty gateway', false],
    ['a gateway holding entries of other channels', true],
  ])('loses nothing published after a drop that came before the first entry (%s)', async (_name, busy) => {
    const { gateway, url } = await startGateway();
    cleanups.push(() => gateway.close());
    if (busy) await publishRange(url, CHANNEL_B, 1, 3);
    const proxy = await FaultProxy.start(url);
    cleanups.push(() => proxy.close());
    const client = createLogsClient({ url: proxy.url, reconnect: RECONNECT, debounceMs: 5 });
    cleanups.push(() => client.close());
    const a = new Collector();
    client.subscribe(CHANNEL_A, { onLogs: a.onLogs });
    // The hello's cursor is the resume point until an entry arrives: the deployment's newest cursor,
    // or 0-0 when nothing was stored yet.
    const history = await fetch(`${url}${API_PATHS.history}?channel=${CHANNEL_B}`);
    const newest = ((await history.json()) as HistoryResponse).logs.at(-1)?.id ?? '0-0';
    await vi.waitFor(() => expect(client.stats().lastEventId).toBe(newest));
    proxy.refuse();
    const dropped = nextStatus(client, 'reconnecting');
    proxy.cutAll();
    await dropped;
    await publishRange(url, CHANNEL_A, 1, 1);
    const reopened = nextStatus(client, 'open');
    proxy.resume();
    await reopened;
    await publishRange(url, CHANNEL_A, 2, 2);
    await a.waitFor(2);
    expectExactlyOnceInOrder(a, CHANNEL_A, 2);
    expect(client.stats()).toMatchObject({ received: 2, duplicates: 0 });
  });

  it('keeps retrying while connections are refused, then catches up', async () => {
    const { url, proxy, client, a } = await setup();
    await publishRange(url, CHANNEL_A, 1, 5);
    await a.waitFor(5);
    proxy.refuse();
    proxy.cutAll();
    const before = proxy.accepted;
    // Several refused attempts in a row, counted at the proxy.
    await vi.waitFor(() => expect(proxy.accepted - before).toBeGreaterThanOrEqual(3), { timeout: 20_000 });
    expect(client.status).toBe('reconnecting');
    await publishRange(url, CHANNEL_A, 6, 25);
    proxy.resume();
    await a.waitFor(25);
    expectExactlyOnceInOrder(a, CHANNEL_A, 25);
  });

  it('detects a silent stall (2.5 heartbeats) and resumes without loss', async () => {
    const { url, proxy, client, a } = await setup();
    await publishRange(url, CHANNEL_A, 1, 10);
    await a.waitFor(10);
    proxy.stall();
    const reconnecting = nextStatus(client, 'reconnecting');
    // Published into the silence: the gateway writes them, the proxy swallows them.
    await publishRange(url, CHANNEL_A, 11, 20);
    await reconnecting;
    expect(client.stats().stalls).toBe(1);
    // The next attempt is swallowed too (its request never reaches the gateway): it must time out
    // the same way rather than wait for an answer forever.
    await vi.waitFor(() => expect(client.stats().stalls).toBe(2), { timeout: 20_000 });
    expect(a.entries).toHaveLength(10);
    proxy.resume();
    await a.waitFor(20);
    expectExactlyOnceInOrder(a, CHANNEL_A, 20);
  });

  it('delivers everything published while up and connected, once and in order, across a gateway restart', async () => {
    const state = await setup();
    const { proxy, client, a } = state;
    await publishRange(state.url, CHANNEL_A, 1, 10);
    await a.waitFor(10);

    const reconnecting = nextStatus(client, 'reconnecting');
    await state.gateway.close();
    await reconnecting;
    const restarted = await startGateway({}, state.port);
    state.gateway = restarted.gateway;
    await waitForStatus(client, 'open');
    await vi.waitFor(() => expect(restarted.gateway.stats().connections).toBe(1));

    await publishRange(restarted.url, CHANNEL_A, 11, 20);
    await a.waitFor(20);
    expectExactlyOnceInOrder(a, CHANNEL_A, 20);
    expect(proxy.accepted).toBeGreaterThanOrEqual(2);
  });

  it('serves many subscribers over one connection', async () => {
    const { gateway, url } = await startGateway();
    cleanups.push(() => gateway.close());
    const client = createLogsClient({ url, reconnect: RECONNECT });
    cleanups.push(() => client.close());
    const channels = Array.from({ length: 5 }, (_, i) => `logs:web:ws-1:panel-${i}`);
    const collectors = channels.flatMap((channel) =>
      Array.from({ length: 4 }, () => {
        const collector = new Collector();
        client.subscribe(channel, { onLogs: collector.onLogs });
        return { channel, collector };
      }),
    );
    await waitForStatus(client, 'open');
    expect(gateway.stats().connections).toBe(1);
    for (const channel of channels) await publishRange(url, channel, 1, 3);
    await Promise.all(collectors.map(({ collector }) => collector.waitFor(3)));
    for (const { channel, collector } of collectors)
      expect(collector.messages()).toEqual(expected(channel, 1, 3));
    expect(client.stats().connections).toBe(1);
    expect(gateway.stats().connections).toBe(1);

    // One more channel: the client swaps its connection, it does not add one.
    const late = new Collector();
    client.subscribe('logs:web:ws-1:late', { onLogs: late.onLogs, tail: 10 });
    await vi.waitFor(() => expect(client.stats().connections).toBe(2));
    await publishRange(url, 'logs:web:ws-1:late', 1, 2);
    await late.waitFor(2);
    await vi.waitFor(() => expect(gateway.stats().connections).toBe(1));
  });

  it('loads the tail of a channel added to a running connection, without duplicates', async () => {
    const { gateway, url } = await startGateway();
    cleanups.push(() => gateway.close());
    const client = createLogsClient({ url, reconnect: RECONNECT });
    cleanups.push(() => client.close());
    const a = new Collector();
    client.subscribe(CHANNEL_A, { onLogs: a.onLogs });
    await waitForStatus(client, 'open');
    await publishRange(url, CHANNEL_B, 1, 8); // before anyone reads B
    await publishRange(url, CHANNEL_A, 1, 2);
    await a.waitFor(2);
    const b = new Collector();
    client.subscribe(CHANNEL_B, { onLogs: b.onLogs, tail: 5 });
    await vi.waitFor(() => expect(client.stats().connections).toBe(2));
    await publishRange(url, CHANNEL_B, 9, 10);
    await b.waitFor(7);
    expect(b.messages()).toEqual(expected(CHANNEL_B, 4, 10));
    expect(client.getLogs(CHANNEL_B).map((e) => e.message)).toEqual(expected(CHANNEL_B, 4, 10));
  });

  it.each([
    ['an unknown token', 'wrong', [CHANNEL_A], 'unauthorized', 401],
    ['a token for other channels', 'etl-reader-token-1', ['logs:billing:ws-1:x'], 'forbidden', 403],
    [
      'too many channels',
      'etl-reader-token-1',
      [CHANNEL_A, CHANNEL_B, 'logs:etl:ws-1:run-3'],
      'bad_request',
      400,
    ],
  ] as const)('stops retrying on %s', async (_name, token, channels, code, status) => {
    const { gateway, url } = await startGateway({
      maxChannels: 2,
      auth: { subscribers: [{ token: 'etl-reader-token-1', channels: ['logs:etl:*:*'] }] },
    });
    cleanups.push(() => gateway.close());
    const client = createLogsClient({ url, token, reconnect: RECONNECT });
    cleanups.push(() => client.close());
    for (const channel of channels) client.subscribe(channel);
    await waitForStatus(client, 'error');
    expect(client.error).toMatchObject({ code, status });
    expect(client.stats().reconnects).toBe(0);
  });
});
