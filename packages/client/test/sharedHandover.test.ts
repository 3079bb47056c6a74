import type { LogEntry } from '@logs-sse/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogsClient } from '../src/index';
import { createSharedLogsClient } from '../src/shared/index';
import { createFakeBrowser, type FakeTab } from './fakeTabs';
import { expected, publishRange, startGateway } from './gatewayHelpers';

// The shared client's handover, with several tabs in one process: fake Web Locks and BroadcastChannel
// (see fakeTabs.ts), a real gateway.
const X = 'logs:svc:ws:x';
const Y = 'logs:svc:ws:y';
const Z = 'logs:svc:ws:z';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.unstubAllGlobals();
});

interface TestTab {
  tab: FakeTab;
  client: LogsClient;
  /** What each subscribed channel's `onLog` got, in order. */
  got: Record<string, string[]>;
}

const waitFor = (condition: () => boolean) => vi.waitUntil(condition, { timeout: 10_000, interval: 10 });

async function setup() {
  const { gateway, url } = await startGateway();
  cleanups.push(() => gateway.close());
  const browser = createFakeBrowser();
  async function open(channels: string[]): Promise<TestTab> {
    const tab = browser.openTab();
    const client = createSharedLogsClient({ url, debounceMs: 1, timers: tab.timers });
    cleanups.push(() => client.close());
    const got: Record<string, string[]> = {};
    for (const channel of channels) {
      got[channel] = [];
      client.subscribe(channel, { onLog: (entry: LogEntry) => got[channel]!.push(entry.message) });
    }
    await browser.joined(tab);
    return { tab, client, got };
  }
  return { gateway, url, open };
}

/** Each tab got exactly the lines of its own channels, each once, in order. */
function expectExactly(tab: TestTab, lines: Record<string, [number, number]>): void {
  const want: Record<string, string[]> = {};
  for (const [channel, [from, to]] of Object.entries(lines)) want[channel] = expected(channel, from, to);
  expect(tab.got).toEqual(want);
  for (const channel of Object.keys(lines))
    expect(tab.client.getLogs(channel).map((e) => e.message)).toEqual(want[channel]);
}

function has(tab: TestTab, lines: Record<string, number>): boolean {
  return Object.entries(lines).every(([channel, n]) => (tab.got[channel]?.length ?? 0) >= n);
}

describe('shared client handover', () => {
  it('elects one leader that streams the union of the tabs’ channels, each tab seeing its own, once', async () => {
    const { gateway, url, open } = await setup();
    const a = await open([X, Y]);
    const b = await open([Y, Z]);
    const c = await open([X]);
    await waitFor(() => [a, b, c].every((t) => t.client.status === 'open'));
    await waitFor(() => gateway.stats().subscriptions[Z] === 1);
    expect(gateway.stats().connections).toBe(1);
    for (const channel of [X, Y, Z]) await publishRange(url, channel, 1, 3);
    await waitFor(() => has(a, { [X]: 3, [Y]: 3 }) && has(b, { [Y]: 3, [Z]: 3 }) && has(c, { [X]: 3 }));
    expectExactly(a, { [X]: [1, 3], [Y]: [1, 3] });
    expectExactly(b, { [Y]: [1, 3], [Z]: [1, 3] });
    expectExactly(c, { [X]: [1, 3] });
    expect(c.client.getLogs(Y)).toEqual([]);
    // Followers know the epoch of the leader's stream (for saved cursors), which beats carry.
    await waitFor(() => c.client.stats().epoch !== undefined);
    expect(c.client.stats().epoch).toBe(a.client.stats().epoch);

    // The leader closes; what is published during the handover reaches every other tab once.
    a.client.close();
    for (const channel of [X, Y, Z]) await publishRange(url, channel, 4, 6);
    await waitFor(() => has(b, { [Y]: 6, [Z]: 6 }) && has(c, { [X]: 6 }));
    await waitFor(() => gateway.stats().connections === 1);
    for (const channel of [X, Y, Z]) await publishRange(url, channel, 7, 7);
    await waitFor(() => has(b, { [Y]: 7, [Z]: 7 }) && has(c, { [X]: 7 }));
    expectExactly(b, { [Y]: [1, 7], [Z]: [1, 7] });
    expectExactly(c, { [X]: [1, 7] });
  });

  it('takes the stream from a frozen leader, which follows when it thaws, nothing lost or doubled', async () => {
    const { gateway, url, open } = await setup();
    const a = await open([X]);
    const b = await open([X, Y]);
    await waitFor(() => a.client.status === 'open' && b.client.status === 'open');
    await waitFor(() => gateway.stats().subscriptions[Y] === 1);
    await publishRange(url, X, 1, 2);
    await waitFor(() => has(a, { [X]: 2 }) && has(b, { [X]: 2 }));

    // The leader stops running but keeps its lock and its stream, as a frozen page does (here its
    // stream's reads still reach its own subscribers: only its timers, messages and locks stand still).
    a.tab.freeze();
    await publishRange(url, X, 3, 5);
    await publishRange(url, Y, 1, 2);
    await waitFor(() => has(b, { [X]: 5, [Y]: 2 }));
    expectExactly(b, { [X]: [1, 5], [Y]: [1, 2] });

    // Thawed, it finds its lock gone, hands its stream in and follows the new leader.
    a.tab.thaw();
    await publishRange(url, X, 6, 7);
    await waitFor(() => has(a, { [X]: 7 }) && has(b, { [X]: 7 }));
    await waitFor(() => gateway.stats().connections === 1);
    await publishRange(url, X, 8, 8);
    await waitFor(() => has(a, { [X]: 8 }) && has(b, { [X]: 8 }));
    expectExactly(a, { [X]: [1, 8] });
    expectExactly(b, { [X]: [1, 8], [Y]: [1, 2] });
  });

  it('takes over from a crashed leader', async () => {
    const { gateway, url, open } = await setup();
    const a = await open([X]);
    const b = await open([X]);
    await waitFor(() => a.client.status === 'open' && b.client.status === 'open');
    await publishRange(url, X, 1, 2);
    await waitFor(() => has(b, { [X]: 2 }));
    a.tab.crash();
    // Its socket outlives it here (a real crash closes it): close its stream from the gateway side.
    a.client.close();
    await publishRange(url, X, 3, 5);
    await waitFor(() => has(b, { [X]: 5 }));
    await waitFor(() => gateway.stats().connections === 1);
    expectExactly(b, { [X]: [1, 5] });
  });

  it('gives a tab that joins a channel the leader streams its current status at once', async () => {
    const { url, open } = await setup();
    const a = await open([X]);
    await waitFor(() => a.client.status === 'open');
    const response = await fetch(`${url}/api/logs/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'status', channel: X, phase: 'load', progress: 10 }),
    });
    expect(response.status).toBe(202);
    await waitFor(() => a.client.getStatus(X)?.phase === 'load');
    const b = await open([X]);
    await waitFor(() => b.client.getStatus(X) !== undefined);
    expect(b.client.getStatus(X)).toMatchObject({ phase: 'load', progress: 10 });
  });
});
