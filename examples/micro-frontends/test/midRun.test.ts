import type { Gateway } from '@logs-sse/gateway';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject, it } from 'vitest';
import { type AppPage, launchChromium, openApp, waitForConnection, waitForCount } from './helpers/browser';
import { CHANNELS, startGateway } from './helpers/gateway';

const appUrl = inject('appUrl');
let browser: Browser;
let gateway: Gateway;
let gatewayUrl: string;
let app: AppPage | undefined;

beforeAll(async () => {
  ({ gateway, url: gatewayUrl } = await startGateway(inject('gatewayPort'), appUrl));
  browser = await launchChromium();
});

afterEach(async () => {
  const errors = app?.pageErrors.map(String) ?? [];
  await app?.close();
  app = undefined;
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
});

async function publish(logs: unknown[]): Promise<void> {
  const response = await fetch(`${gatewayUrl}/api/logs/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ logs }),
  });
  expect(response.status).toBe(202);
}

it('a panel mounted mid-run shows the current phase on its first paint, and the run so far', async () => {
  // The deployment is under way before anyone looks, and nothing more is published while the test runs.
  await publish([
    { type: 'status', channel: CHANNELS.workflow, phase: 'provisioning', progress: 10 },
    ...Array.from({ length: 30 }, (_, i) => ({ channel: CHANNELS.workflow, message: `step ${i}` })),
    { type: 'status', channel: CHANNELS.workflow, phase: 'model_loading', progress: 55 },
  ]);
  app = await openApp(browser, appUrl);
  const { page } = app;
  await waitForConnection(page, 'open');
  // The overview's panel opens with the recent history and the phase, though no event followed.
  await waitForCount(page, CHANNELS.workflow, 30);
  const overviewBar = `[data-channel="${CHANNELS.workflow}"] .lv-status`;
  await page.waitForSelector(`${overviewBar}[data-phase="model_loading"]`);

  // Record what the workflow page's phase list and progress bar hold when they are first inserted,
  // before any later render could fill them in.
  await page.evaluate(() => {
    const seen: Record<string, string> = {};
    (window as unknown as { firstPaint: Record<string, string> }).firstPaint = seen;
    new MutationObserver(() => {
      const current = document.querySelector('ol.phases li[data-state="current"]');
      const bar = document.querySelector('.panel.tall .lv-status');
      if (seen.phase === undefined && document.querySelector('ol.phases'))
        seen.phase = current?.textContent ?? 'none';
      if (seen.bar === undefined && bar) seen.bar = bar.getAttribute('data-phase') ?? '';
    }).observe(document.body, { childList: true, subtree: true });
  });
  await page.click('nav a[href="#/workflow"]');
  await page.waitForSelector('ol.phases');
  const firstPaint = await page.evaluate(
    () => (window as unknown as { firstPaint: Record<string, string> }).firstPaint,
  );
  expect(firstPaint).toEqual({ phase: 'model_loading', bar: 'model_loading' });
  expect(await page.textContent('.panel.tall .lv-status .lv-status-label')).toContain('model_loading');
});
