import type { Gateway } from '@logs-sse/gateway';
import type { LogsPublisher } from '@logs-sse/publisher';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject, it } from 'vitest';
import {
  type AppPage,
  launchChromium,
  openApp,
  renderedIds,
  waitForConnection,
  waitForCount,
} from './helpers/browser';
import { CHANNELS, startGateway, testPublisher } from './helpers/gateway';

const appUrl = inject('appUrl');
const channel = CHANNELS.etl;
let browser: Browser;
let gateway: Gateway;
let etl: LogsPublisher;
let app: AppPage | undefined;

beforeAll(async () => {
  let url: string;
  ({ gateway, url } = await startGateway(inject('gatewayPort'), appUrl));
  etl = testPublisher(url, 'etl');
  browser = await launchChromium();
});

afterEach(async () => {
  const errors = app?.pageErrors.map(String) ?? [];
  await app?.close();
  app = undefined;
  // Each test starts on an empty history: a panel opens with what its channel already holds.
  await gateway.close();
  ({ gateway } = await startGateway(inject('gatewayPort'), appUrl));
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await etl?.close();
  await browser?.close();
  await gateway?.close();
});

let published = 0;
/** Publishes `count` lines to the ETL channel, numbered across the whole file. */
function publishLines(count: number): void {
  for (let i = 0; i < count; i++) {
    published++;
    etl.publish({
      workspace_id: 'demo',
      resource_id: 'nightly-import',
      level: 'info',
      message: `line ${published}`,
    });
  }
}

function follows(page: Page): Promise<string | null> {
  return page.getAttribute(`[data-channel="${channel}"] .lv-scroller`, 'data-follow');
}

async function openEtlView(): Promise<Page> {
  app = await openApp(browser, appUrl, '#/etl');
  await waitForConnection(app.page, 'open');
  return app.page;
}

it('follows new rows until the reader scrolls up, and again after "Jump to latest"', async () => {
  const page = await openEtlView();
  publishLines(200);
  await waitForCount(page, channel, 200);
  const list = page.locator(`[data-channel="${channel}"] .lv-scroller`);
  await page.locator(`[data-channel="${channel}"] [data-log-id]`, { hasText: `line ${published}` }).waitFor();
  expect(await follows(page)).toBe('true');

  await list.evaluate((element) => {
    element.scrollTop = 0;
  });
  await page.waitForSelector(`[data-channel="${channel}"] .lv-scroller[data-follow="false"]`);
  const firstRows = await renderedIds(page, channel);
  publishLines(50);
  await waitForCount(page, channel, 250);
  // The reader stays where they scrolled to: the rows in view are the first ones still.
  expect(await list.evaluate((element) => element.scrollTop)).toBe(0);
  expect((await renderedIds(page, channel))[0]).toBe(firstRows[0]);

  await page.getByRole('button', { name: 'Jump to latest (50 new)' }).click();
  await page.waitForSelector(`[data-channel="${channel}"] .lv-scroller[data-follow="true"]`);
  await page.locator(`[data-channel="${channel}"] [data-log-id]`, { hasText: `line ${published}` }).waitFor();
});

it('pause freezes the rows while entries keep arriving behind them', async () => {
  const page = await openEtlView();
  publishLines(5);
  await waitForCount(page, channel, 5);
  await page.getByRole('button', { name: 'Pause' }).click();
  publishLines(3);
  await page.getByRole('button', { name: 'Resume (3 new)' }).waitFor();
  expect(await page.getAttribute(`[data-channel="${channel}"]`, 'data-count')).toBe('5');
  await page.getByRole('button', { name: 'Resume (3 new)' }).click();
  await waitForCount(page, channel, 8);
});

it('keeps 10,000 rows in a panel with only the visible ones in the DOM', async () => {
  const page = await openEtlView();
  // Bursts of 1,000 entries, each published as fast as the publisher sends it.
  for (let burst = 1; burst <= 10; burst++) {
    publishLines(1000);
    await waitForCount(page, channel, burst * 1000);
  }
  const rows = await page.locator(`[data-channel="${channel}"] [data-log-id]`).count();
  expect(rows).toBeGreaterThan(10);
  expect(rows).toBeLessThan(100);
  await page.locator(`[data-channel="${channel}"] [data-log-id]`, { hasText: `line ${published}` }).waitFor();

  // At the bound, the oldest entries make way for new ones; filtering 10,000 rows stays interactive.
  publishLines(1000);
  await page.locator(`[data-channel="${channel}"] [data-log-id]`, { hasText: `line ${published}` }).waitFor();
  expect(await page.getAttribute(`[data-channel="${channel}"]`, 'data-count')).toBe('10000');
  await page.getByLabel('search').fill(`line ${published - 1}`);
  await page.getByRole('button', { name: 'Only matches' }).click();
  await waitForCount(page, channel, 1);
});
