import type { Gateway } from '@logs-sse/gateway';
import { createLogsPublisher, type LogsPublisher } from '@logs-sse/publisher';
import { startGateway } from '@logs-sse/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { launchChromium } from './helpers/browser';
import { serveSharedPage } from './helpers/sharedPage';

const READER_A = 'reader-token-a-0123456789';
const READER_B = 'reader-token-b-0123456789';
const PUBLISHER = 'publisher-token-0123456789';
const COMMON = 'logs:tabs:demo:common';

/** What the page keeps on `window`: its client and the `id message` lines each channel received. */
interface TabWindow {
  client: { status: string };
  received: Record<string, string[]>;
}

let browser: Browser;
let gateway: Gateway;
let gatewayUrl: string;
let page: { url: string; close: () => Promise<void> };
let context: BrowserContext | undefined;
let publisher: LogsPublisher;
let pageErrors: Error[] = [];

beforeAll(async () => {
  page = await serveSharedPage();
  ({ gateway, url: gatewayUrl } = await startGateway({
    corsOrigins: [new URL(page.url).origin],
    auth: {
      subscribers: [
        { token: READER_A, channels: ['logs:tabs:*:*'] },
        { token: READER_B, channels: ['logs:tabs:*:*'] },
      ],
      publishers: [{ token: PUBLISHER, services: ['tabs'] }],
    },
  }));
  publisher = createLogsPublisher({
    url: gatewayUrl,
    service: 'tabs',
    token: PUBLISHER,
    flushIntervalMs: 5,
    heartbeatIntervalMs: 0,
  });
  browser = await launchChromium();
});

afterEach(async () => {
  await context?.close();
  context = undefined;
  expect(pageErrors.map(String)).toEqual([]);
  pageErrors = [];
});

afterAll(async () => {
  await publisher?.close();
  await browser?.close();
  await gateway?.close();
  await page?.close();
});

/** Opens a tab of `context` that subscribes to `channels` with `token`, and waits until it is open. */
async function openTab(tabs: BrowserContext, token: string, channels: string[]): Promise<Page> {
  const tab = await tabs.newPage();
  tab.on('pageerror', (error) => pageErrors.push(error));
  const query = new URLSearchParams({ gateway: gatewayUrl, token, channels: channels.join(',') });
  await tab.goto(`${page.url}?${query}`);
  await tab.waitForFunction(() => (window as unknown as TabWindow).client?.status === 'open');
  return tab;
}

async function publish(resource: string, prefix: string, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    publisher.publish({
      workspace_id: 'demo',
      resource_id: resource,
      level: 'info',
      message: `${prefix} ${i}`,
    });
  }
  expect(await publisher.flush({ timeoutMs: 10_000 })).toBe(true);
}

/** Waits until the gateway holds exactly `count` streams. */
async function waitForStreams(count: number): Promise<void> {
  await expect.poll(() => gateway.stats().connections, { timeout: 10_000 }).toBe(count);
}

/** Waits until `channel` of `tab` received `count` entries, then returns them. */
async function waitForReceived(tab: Page, channel: string, count: number): Promise<string[]> {
  await tab.waitForFunction(
    ([key, n]) => (window as unknown as TabWindow).received[key as string]!.length >= (n as number),
    [channel, count] as const,
    { timeout: 10_000 },
  );
  return tab.evaluate((key) => (window as unknown as TabWindow).received[key]!, channel);
}

it('gives 8 tabs one stream, each tab its own channels, and survives the leader closing', async () => {
  context = await browser.newContext();
  // The first tab leads: it is open before the others ask for the lock.
  const tabs = [await openTab(context, READER_A, [COMMON, 'logs:tabs:demo:tab-0'])];
  for (let i = 1; i < 8; i++)
    tabs.push(await openTab(context, READER_A, [COMMON, `logs:tabs:demo:tab-${i}`]));
  await waitForStreams(1);

  await publish('common', 'before', 5);
  for (let i = 0; i < 8; i++) await publish(`tab-${i}`, `own ${i}`, 3);
  for (const [i, tab] of tabs.entries()) {
    const common = await waitForReceived(tab, COMMON, 5);
    expect(common.map((line) => line.split(' ').slice(1).join(' '))).toEqual(
      [1, 2, 3, 4, 5].map((n) => `before ${n}`),
    );
    const own = await waitForReceived(tab, `logs:tabs:demo:tab-${i}`, 3);
    expect(own.map((line) => line.split(' ').slice(1).join(' '))).toEqual(
      [1, 2, 3].map((n) => `own ${i} ${n}`),
    );
    // A tab sees only its own channels.
    expect(await tab.evaluate(() => Object.keys((window as unknown as TabWindow).received).length)).toBe(2);
  }
  expect(gateway.stats().connections).toBe(1);

  // The leader goes; entries published while no tab holds the stream reach every other tab once.
  await tabs[0]!.close();
  await publish('common', 'during', 10);
  for (const tab of tabs.slice(1)) {
    const common = await waitForReceived(tab, COMMON, 15);
    await expect.poll(() => tab.evaluate(() => (window as unknown as TabWindow).client.status)).toBe('open');
    const messages = common.map((line) => line.split(' ').slice(1).join(' '));
    expect(messages).toEqual([
      ...[1, 2, 3, 4, 5].map((n) => `before ${n}`),
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => `during ${n}`),
    ]);
    expect(new Set(common.map((line) => line.split(' ')[0])).size).toBe(15);
  }
  await waitForStreams(1);
  await publish('common', 'after', 2);
  for (const tab of tabs.slice(1)) expect(await waitForReceived(tab, COMMON, 17)).toHaveLength(17);
});

it('gives two tokens in one browser two streams', async () => {
  context = await browser.newContext();
  const channel = 'logs:tabs:demo:tokens';
  const tabs = [
    await openTab(context, READER_A, [channel]),
    await openTab(context, READER_B, [channel]),
    await openTab(context, READER_A, [channel]),
    await openTab(context, READER_B, [channel]),
  ];
  await waitForStreams(2);
  await publish('tokens', 'line', 3);
  for (const tab of tabs) expect(await waitForReceived(tab, channel, 3)).toHaveLength(3);
  expect(gateway.stats().connections).toBe(2);
});

/** The messages `tab` received on `channel`, after checking each arrived once. */
async function messagesOnce(tab: Page, channel: string, count: number): Promise<string[]> {
  const lines = await waitForReceived(tab, channel, count);
  expect(new Set(lines.map((line) => line.split(' ')[0])).size).toBe(lines.length);
  return lines.map((line) => line.split(' ').slice(1).join(' '));
}

/** The one tab of `tabs` that holds the stream. */
async function leaderOf(tabs: Page[]): Promise<Page> {
  const open = () =>
    Promise.all(tabs.map((tab) => tab.evaluate(() => (window as unknown as { streams: number }).streams)));
  await expect.poll(open, { timeout: 10_000 }).toContain(1);
  await expect.poll(async () => (await open()).filter((n) => n > 0).length, { timeout: 10_000 }).toBe(1);
  return tabs[(await open()).indexOf(1)]!;
}

const lines = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix} ${i + 1}`);

it('takes over from a leader that crashes, hangs or is frozen, losing and repeating nothing', async () => {
  context = await browser.newContext();
  const channel = 'logs:tabs:demo:faults';
  const tabs: Page[] = [];
  for (let i = 0; i < 4; i++) tabs.push(await openTab(context, READER_A, [channel]));
  await publish('faults', 'before', 3);
  for (const tab of tabs) expect(await messagesOnce(tab, channel, 3)).toEqual(lines('before', 3));
  let expected = lines('before', 3);

  // A crash: the renderer dies with its lock, which the browser releases.
  const crashed = await leaderOf(tabs);
  const crashSession = await context.newCDPSession(crashed);
  void crashSession.send('Page.crash').catch(() => {});
  const alive = tabs.filter((tab) => tab !== crashed);
  await publish('faults', 'crash', 5);
  expected = [...expected, ...lines('crash', 5)];
  for (const tab of alive) expect(await messagesOnce(tab, channel, expected.length)).toEqual(expected);

  // A page that hangs keeps its lock and sends no beat: another tab steals the lock, and the hung one
  // follows once it runs again.
  const hung = await leaderOf(alive);
  let hanging = true;
  const hang = hung
    .evaluate(() => {
      const end = Date.now() + 8000;
      while (Date.now() < end) {}
    })
    .then(() => {
      hanging = false;
    });
  await publish('faults', 'hang', 5);
  expected = [...expected, ...lines('hang', 5)];
  for (const tab of alive.filter((tab) => tab !== hung))
    expect(await messagesOnce(tab, channel, expected.length)).toEqual(expected);
  // They came through another tab: the hung one has not run a line since.
  expect(hanging).toBe(true);
  await hang;
  await publish('faults', 'after hang', 2);
  expected = [...expected, ...lines('after hang', 2)];
  for (const tab of alive) expect(await messagesOnce(tab, channel, expected.length)).toEqual(expected);

  // A page the browser freezes, then thaws.
  const frozen = await leaderOf(alive);
  const frozenSession = await context.newCDPSession(frozen);
  await frozenSession.send('Page.setWebLifecycleState', { state: 'frozen' });
  await publish('faults', 'frozen', 5);
  expected = [...expected, ...lines('frozen', 5)];
  for (const tab of alive.filter((tab) => tab !== frozen))
    expect(await messagesOnce(tab, channel, expected.length)).toEqual(expected);
  await frozenSession.send('Page.setWebLifecycleState', { state: 'active' });
  await publish('faults', 'thawed', 2);
  expected = [...expected, ...lines('thawed', 2)];
  for (const tab of alive) expect(await messagesOnce(tab, channel, expected.length)).toEqual(expected);
  await leaderOf(alive);
  await waitForStreams(1);
});
