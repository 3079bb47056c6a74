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
