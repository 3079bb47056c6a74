import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Gateway } from '@logs-sse/gateway';
import { compareCursors } from '@logs-sse/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject, it } from 'vitest';
import {
  type AppPage,
  launchChromium,
  openApp,
  renderedIds,
  SCREENSHOT_DIR,
  screenshot,
  waitForConnection,
} from './helpers/browser';
import { CHANNELS, startGateway } from './helpers/gateway';

// The LogView behaviours a reader relies on, in the demo app against a real gateway.
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
  // Each test starts on an empty history: a panel opens with what its channel already holds.
  await gateway.close();
  ({ gateway, url: gatewayUrl } = await startGateway(inject('gatewayPort'), appUrl));
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
});

interface Line {
  channel?: string;
  level?: string;
  message: string;
  [field: string]: unknown;
}

/** Publishes lines in one request, so the gateway gives them cursors in this order. */
async function publish(lines: Line[]): Promise<void> {
  const res = await fetch(`${gatewayUrl}/api/logs/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ logs: lines.map((line) => ({ channel: CHANNELS.etl, level: 'info', ...line })) }),
  });
  expect(res.status).toBe(202);
}

const numbered = (count: number, text: (i: number) => string) =>
  Array.from({ length: count }, (_, i) => ({ message: text(i + 1) }));

async function openEtl(): Promise<{ page: Page; panel: ReturnType<Page['locator']> }> {
  app = await openApp(browser, appUrl, '#/etl');
  await waitForConnection(app.page, 'open');
  return { page: app.page, panel: app.page.locator(`[data-channel="${CHANNELS.etl}"]`) };
}

it('steps through search matches, scrolling to rows that were not rendered', async () => {
  const { panel } = await openEtl();
  await publish(numbered(400, (i) => (i === 10 || i === 200 ? `needle at ${i}` : `hay ${i}`)));
  await panel.locator('[data-log-id]', { hasText: 'hay 400' }).waitFor();
  await panel.getByLabel('Search').fill('needle');
  await panel.getByText('2 matches').waitFor();

  await panel.getByLabel('Search').press('Enter');
  await panel.getByText('1 of 2').waitFor();
  await panel.locator('mark.lv-current', { hasText: 'needle' }).waitFor();
  expect(await panel.locator('mark.lv-current').evaluate((m) => m.closest('.lv-message')?.textContent)).toBe(
    'needle at 10',
  );
  // Going to a match stops following, so the match stays in view.
  expect(await panel.locator('.lv-scroller').getAttribute('data-follow')).toBe('false');
  await panel.getByRole('button', { name: 'Next match' }).click();
  await panel.getByText('2 of 2').waitFor();
  await panel.locator('mark.lv-current').waitFor();
  expect(await panel.locator('mark.lv-current').evaluate((m) => m.closest('.lv-message')?.textContent)).toBe(
    'needle at 200',
  );
  await panel.getByRole('button', { name: 'Next match' }).click();
  await panel.getByText('1 of 2').waitFor();
});

it('shows the count of new entries while scrolled up, and jumps to the latest', async () => {
  const { panel } = await openEtl();
  await publish(numbered(300, (i) => `first ${i}`));
  await panel.locator('[data-log-id]', { hasText: 'first 300' }).waitFor();
  await panel.locator('.lv-scroller').evaluate((element) => {
    element.scrollTop = 100;
  });
  await panel.locator('.lv-scroller[data-follow="false"]').waitFor();
  await publish(numbered(7, (i) => `second ${i}`));
  await panel.getByRole('button', { name: 'Jump to latest (7 new)' }).click();
  await panel.locator('[data-log-id]', { hasText: 'second 7' }).waitFor();
  await panel.locator('.lv-scroller[data-follow="true"]').waitFor();
  expect(await panel.getByRole('button', { name: /Jump to latest/ }).count()).toBe(0);
});

it('renders ANSI colours and styles as styled text, never as escape codes', async () => {
  const { panel } = await openEtl();
  const message =
    '\x1b[1;31mFAILED\x1b[0m \x1b[38;5;208morange\x1b[0m \x1b[38;2;10;200;30mtrue\x1b[0m \x1b[4mlink\x1b[24m';
  await publish([{ level: 'error', message }]);
  const text = panel.locator('[data-log-id] .lv-message').first();
  await text.waitFor();
  expect(await text.textContent()).toBe('FAILED orange true link');
  const styles = await text.locator('span').evaluateAll((spans) =>
    spans.map((span) => {
      const css = getComputedStyle(span);
      return [span.textContent, css.color, css.fontWeight, css.textDecorationLine];
    }),
  );
  expect(styles).toEqual([
    ['FAILED', 'rgb(255, 123, 114)', '700', 'none'],
    ['orange', 'rgb(255, 135, 0)', '400', 'none'],
    ['true', 'rgb(10, 200, 30)', '400', 'none'],
    ['link', expect.any(String), '400', 'underline'],
  ]);
});

it('copies a line and a link to an entry, and the link opens the page at that entry', async () => {
  const { page, panel } = await openEtl();
  await page
    .context()
    .grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(appUrl).origin });
  await publish([
    { message: 'copy me', level: 'warn', requestId: 'r-42' },
    ...numbered(200, (i) => `after ${i}`),
  ]);
  const row = panel.locator('[data-log-id]', { hasText: 'after 200' });
  await row.waitFor();
  const newest = await row.getAttribute('data-log-id');
  await row.click();
  const details = panel.getByRole('region', { name: 'Entry details' });
  await details.waitFor();
  await details.getByRole('button', { name: 'Copy line' }).click();
  await panel.getByRole('status').filter({ hasText: 'Copied line' }).waitFor();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(
    /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}\[logs:etl:demo:nightly-import\] after 200$/,
  );

  // The first entry is far above the rows in view: its link must bring it back.
  await panel.locator('.lv-scroller').evaluate((element) => {
    element.scrollTop = 0;
  });
  await panel.locator('[data-log-id]', { hasText: 'copy me' }).click();
  await details.getByRole('button', { name: 'Copy link' }).click();
  await panel.getByRole('status').filter({ hasText: 'Copied link' }).waitFor();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  const copyMeId = await panel.locator('[data-log-id]', { hasText: 'copy me' }).getAttribute('data-log-id');
  expect(new URL(link).searchParams.get('log')).toBe(copyMeId);
  expect(new URL(link).hash).toBe('#/etl');
  expect(await renderedIds(page, CHANNELS.etl)).toContain(copyMeId);

  // Opened in the same tab, whose saved rows include the entry (a new tab would need it in history),
  // once the panel saved them (it writes at most every 500 ms).
  await page.waitForFunction(
    ([key, cursor]) => JSON.parse(sessionStorage.getItem(key!) ?? 'null')?.state?.cursor === cursor,
    [`logs-sse:${CHANNELS.etl}`, newest],
  );
  await page.goto(link);
  const shown = page.locator(`[data-channel="${CHANNELS.etl}"] .lv-details[data-details-for="${copyMeId}"]`);
  await shown.waitFor();
  expect(await shown.textContent()).toContain('r-42');
  // In view, though the view follows the newest entry on load and 200 newer rows come after it.
  await page.locator(`[data-log-id="${copyMeId}"].lv-selected`).waitFor();
});

it('downloads what is shown as .log and as .ndjson', async () => {
  const { page, panel } = await openEtl();
  await publish([
    { level: 'debug', message: 'hidden by the level' },
    { level: 'warn', message: '\x1b[33mslow\x1b[0m disk', durationMs: 812 },
    { level: 'error', message: 'Error: boom\n    at load (etl.js:1:1)' },
  ]);
  await panel.locator('[data-log-id]', { hasText: 'Error: boom' }).waitFor();
  await panel.getByLabel('Lowest level').selectOption('warn');
  await panel
    .locator('[data-count="2"]')
    .or(panel.and(page.locator('[data-count="2"]')))
    .waitFor();

  const [ndjson] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByRole('button', { name: 'Download .ndjson' }).click(),
  ]);
  expect(ndjson.suggestedFilename()).toBe('logs.ndjson');
  const entries = (await readFile((await ndjson.path())!, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
  expect(entries.map((e) => [e.level, e.message, e.durationMs])).toEqual([
    ['warn', '\x1b[33mslow\x1b[0m disk', 812],
    ['error', 'Error: boom\n    at load (etl.js:1:1)', undefined],
  ]);

  const [log] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByRole('button', { name: 'Download .log' }).click(),
  ]);
  const text = await readFile((await log.path())!, 'utf8');
  expect(text.split('\n').map((line) => line.replace(/^\S+ /, ''))).toEqual([
    'WARN  [logs:etl:demo:nightly-import] slow disk {"durationMs":812}',
    'ERROR [logs:etl:demo:nightly-import] Error: boom',
    '    at load (etl.js:1:1)',
    '',
  ]);
});

it('interleaves several channels in cursor order, with a badge per row', async () => {
  app = await openApp(browser, appUrl, '#/all');
  const { page } = app;
  await waitForConnection(page, 'open');
  const lines: Line[] = [];
  for (let i = 1; i <= 6; i++) {
    lines.push({
      channel: [CHANNELS.etl, CHANNELS.functions, CHANNELS.workflow][i % 3],
      message: `step ${i}`,
    });
  }
  await publish(lines);
  const view = page.locator('[data-channel="logs:*:demo:*"]');
  await view.locator('[data-log-id]', { hasText: 'step 6' }).waitFor();
  const rows = await view.locator('[data-log-id]').evaluateAll((all) =>
    all.map((row) => ({
      id: row.getAttribute('data-log-id')!,
      badge: row.querySelector('.lv-badge')?.textContent,
      message: row.querySelector('.lv-message')?.textContent,
    })),
  );
  expect(rows.map((r) => r.message)).toEqual(['step 1', 'step 2', 'step 3', 'step 4', 'step 5', 'step 6']);
  expect(rows.map((r) => r.badge)).toEqual([
    'functions/thumbnailer',
    'workflow/wf-llm-serving',
    'etl/nightly-import',
    'functions/thumbnailer',
    'workflow/wf-llm-serving',
    'etl/nightly-import',
  ]);
  for (let i = 1; i < rows.length; i++) expect(compareCursors(rows[i - 1]!.id, rows[i]!.id)).toBeLessThan(0);

  // The picture in the package's README: three services in one view, colours, a stack trace, a search.
  await publish([
    { channel: CHANNELS.workflow, message: 'phase \x1b[1mmodel_loading\x1b[0m: shard 3/4 \x1b[32m✔\x1b[0m' },
    {
      channel: CHANNELS.etl,
      level: 'warn',
      message: '\x1b[33mslow\x1b[0m write to warehouse.orders: 812 ms',
    },
    {
      channel: CHANNELS.functions,
      level: 'error',
      message: `Error: cannot decode image 39\n${[
        'readScanLines',
        'readJpeg',
        'decode',
        'handler',
        'invoke',
        'run',
      ]
        .map((fn, i) => `    at ${fn} (thumbnailer.js:${40 + i}:7)`)
        .join('\n')}`,
    },
    { channel: CHANNELS.etl, message: 'loaded batch 5/5 into \x1b[36mwarehouse.orders\x1b[0m (7,252 rows)' },
    { channel: CHANNELS.workflow, level: 'debug', message: 'GET /health -> \x1b[32m200\x1b[0m in 4 ms' },
    { channel: CHANNELS.functions, message: 'invocation 4 \x1b[1;32mok\x1b[0m: 12 thumbnails in 1.9 s' },
  ]);
  await view.locator('[data-log-id]', { hasText: 'invocation 4' }).waitFor();
  await view.getByLabel('Search').fill('warehouse');
  await view.getByLabel('Search').press('Enter');
  await view.locator('mark.lv-current').waitFor();
  await page.setViewportSize({ width: 1100, height: 560 });
  await view.screenshot({ path: `${SCREENSHOT_DIR}log-view-all.png` });
});

it('is usable from the keyboard and passes axe-core, announcing bursts once', async () => {
  const { page, panel } = await openEtl();
  await publish([
    { message: 'warming up' },
    { level: 'warn', message: '\x1b[33mretrying\x1b[0m upload', attempt: 2 },
    { level: 'error', message: `Error: timeout\n${'    at step (etl.js:1:1)\n'.repeat(8)}` },
    ...numbered(40, (i) => `row ${i}`),
  ]);
  await panel.locator('[data-log-id]', { hasText: 'row 40' }).waitFor();
  // One summary for the burst, not one announcement per entry.
  await panel.getByRole('status').filter({ hasText: '43 new entries, 1 error' }).waitFor();

  await panel.getByRole('log').focus();
  await page.keyboard.press('ArrowDown');
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-log-id') ?? null);
  expect(await focused()).not.toBeNull();
  await page.keyboard.press('Home');
  await page.waitForFunction(() => document.activeElement?.textContent?.includes('warming up'));
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await panel.getByRole('region', { name: 'Entry details' }).getByText('attempt').waitFor();
  await page.keyboard.press('/');
  expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Search');
  await panel.getByLabel('Search').fill('retry');

  const require = createRequire(import.meta.url);
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async (selector) => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const result = await axe.run(selector, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, `[data-channel="${CHANNELS.etl}"]`);
  expect(violations).toEqual([]);
  await screenshot(page, 'log-view');
});
