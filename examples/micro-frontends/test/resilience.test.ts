import type { Gateway } from '@logs-sse/gateway';
import type { LogsPublisher } from '@logs-sse/publisher';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject, it } from 'vitest';
import {
  type AppPage,
  launchChromium,
  openApp,
  renderedIds,
  screenshot,
  waitForConnection,
  waitForCount,
} from './helpers/browser';
import { CHANNELS, startGateway, testPublisher } from './helpers/gateway';

const appUrl = inject('appUrl');
const gatewayPort = inject('gatewayPort');
let browser: Browser;
let gateway: Gateway;
let gatewayUrl: string;
let app: AppPage | undefined;
let workflow: LogsPublisher;

beforeAll(async () => {
  ({ gateway, url: gatewayUrl } = await startGateway(gatewayPort, appUrl));
  browser = await launchChromium();
});

afterEach(async () => {
  const errors = app?.pageErrors.map(String) ?? [];
  await app?.close();
  app = undefined;
  await workflow?.close();
  // Each test starts on an empty history: a panel opens with what its channel already holds.
  await gateway.close();
  ({ gateway, url: gatewayUrl } = await startGateway(gatewayPort, appUrl));
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
});

/** Publishes `count` numbered lines to the workflow channel and waits until the gateway took them. */
async function publishLines(prefix: string, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    workflow.publish({
      workspace_id: 'demo',
      resource_id: 'wf-llm-serving',
      level: 'info',
      message: `${prefix} ${i}`,
    });
  }
  expect(await workflow.flush({ timeoutMs: 10_000 })).toBe(true);
}

/** Waits until the hook saved its newest entry (it writes at most every 500 ms). */
async function waitForSaved(page: Page, channel: string, id: string): Promise<void> {
  await page.waitForFunction(
    ([key, cursor]) => JSON.parse(sessionStorage.getItem(key!) ?? 'null')?.state?.cursor === cursor,
    [`logs-sse:${channel}`, id],
  );
}

it('shows the saved rows after a reload while the stream is blocked', async () => {
  workflow = testPublisher(gatewayUrl, 'workflow');
  app = await openApp(browser, appUrl);
  const { page } = app;
  const channel = CHANNELS.workflow;
  await waitForConnection(page, 'open');
  await publishLines('before reload', 6);
  await waitForCount(page, channel, 6);
  const ids = await renderedIds(page, channel);
  expect(ids).toHaveLength(6);
  await waitForSaved(page, channel, ids.at(-1)!);

  let blocked = 0;
  await page.route('**/api/logs/stream**', (route) => {
    blocked++;
    return route.abort();
  });
  await page.reload();
  await waitForCount(page, channel, 6);
  expect(await renderedIds(page, channel)).toEqual(ids);
  expect(blocked).toBeGreaterThan(0);
  await screenshot(page, 'reload-stream-blocked');

  // Entries published while the page could not connect arrive once it can: the stream resumes after
  // the saved cursor, so nothing is missed and nothing is shown twice.
  await publishLines('while blocked', 2);
  await page.unroute('**/api/logs/stream**');
  await waitForConnection(page, 'open');
  await waitForCount(page, channel, 8);
  const after = await renderedIds(page, channel);
  expect(after.slice(0, 6)).toEqual(ids);
  expect(new Set(after).size).toBe(8);
  const messages = await page
    .locator(`[data-channel="${channel}"] [data-log-id] .lv-message`)
    .allTextContents();
  expect(messages.slice(5)).toEqual(['before reload 6', 'while blocked 1', 'while blocked 2']);
});

it('keeps a panel\u2019s rows when navigating to its own view and back', async () => {
  workflow = testPublisher(gatewayUrl, 'workflow');
  app = await openApp(browser, appUrl);
  const { page } = app;
  const channel = CHANNELS.workflow;
  await waitForConnection(page, 'open');
  await publishLines('before navigation', 3);
  await waitForCount(page, channel, 3);
  const ids = await renderedIds(page, channel);

  await page.click('nav a[href="#/workflow"]');
  await page.waitForSelector('ol.phases');
  await waitForCount(page, channel, 3);
  expect(await renderedIds(page, channel)).toEqual(ids);
  expect(await page.locator('[data-channel]').count()).toBe(1);

  await page.click('nav a[href="#/"]');
  await page.waitForSelector(`[data-channel="${CHANNELS.etl}"]`);
  await waitForCount(page, channel, 3);
  expect(await renderedIds(page, channel)).toEqual(ids);
});

it('starts over with the new history after a gateway restart, without duplicate rows', async () => {
  workflow = testPublisher(gatewayUrl, 'workflow');
  app = await openApp(browser, appUrl);
  const { page } = app;
  const channel = CHANNELS.workflow;
  await waitForConnection(page, 'open');
  await publishLines('before restart', 5);
  await waitForCount(page, channel, 5);
  const before = await renderedIds(page, channel);

  await gateway.close();
  await page.waitForSelector('.topbar .connection:not([data-connection="open"])');
  // A new gateway on the same port: it starts with an empty history (the store is in memory).
  ({ gateway, url: gatewayUrl } = await startGateway(gatewayPort, appUrl));
  await waitForConnection(page, 'open');
  await publishLines('after restart', 4);
  // The rows of the history that is gone go with it (the gateway reports a reset): the panel shows the
  // new history, never a row twice.
  await waitForCount(page, channel, 4);

  const after = await renderedIds(page, channel);
  expect(new Set(after).size).toBe(after.length);
  expect(after.filter((id) => before.includes(id))).toEqual([]);
  const messages = await page
    .locator(`[data-channel="${channel}"] [data-log-id] .lv-message`)
    .allTextContents();
  expect(messages).toEqual(['after restart 1', 'after restart 2', 'after restart 3', 'after restart 4']);
  await screenshot(page, 'after-gateway-restart');
});
