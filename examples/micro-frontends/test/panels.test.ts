import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCheckout, runEtl, runFunctions, runWorkflow } from '@logs-sse/example-node-service';
import type { Gateway } from '@logs-sse/gateway';
import type { LogsPublisher } from '@logs-sse/publisher';
import type { Browser } from 'playwright-core';
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
import { CHANNELS, seededRandom, startGateway, testPublisher } from './helpers/gateway';

const appUrl = inject('appUrl');
let browser: Browser;
let gateway: Gateway;
let gatewayUrl: string;
let app: AppPage | undefined;
const publishers: LogsPublisher[] = [];

beforeAll(async () => {
  ({ gateway, url: gatewayUrl } = await startGateway(inject('gatewayPort'), appUrl));
  browser = await launchChromium();
});

afterEach(async () => {
  const errors = app?.pageErrors.map(String) ?? [];
  await app?.close();
  app = undefined;
  await Promise.all(publishers.splice(0).map((publisher) => publisher.close()));
  // Each test starts on an empty history: a panel opens with what its channel already holds.
  await gateway.close();
  ({ gateway, url: gatewayUrl } = await startGateway(inject('gatewayPort'), appUrl));
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
});

function publisher(service: string): LogsPublisher {
  const created = testPublisher(gatewayUrl, service);
  publishers.push(created);
  return created;
}

it('fills every panel from the real services, Node, Python and OpenTelemetry, over one stream request', async () => {
  app = await openApp(browser, appUrl);
  const { page } = app;
  for (const channel of Object.values(CHANNELS)) await page.waitForSelector(`[data-channel="${channel}"]`);
  await waitForConnection(page, 'open');

  const options = { workspace: 'demo', runs: 1, paceMs: 0 };
  const etl = publisher('etl');
  const workflow = publisher('workflow');
  await Promise.all([
    runEtl(etl, { ...options, random: seededRandom(1) }),
    runWorkflow(workflow, { ...options, failureRate: 0, random: seededRandom(2) }),
    runFunctions({ ...options, runs: 3, url: gatewayUrl, random: seededRandom(3), errorRate: 0.5 }),
    runPythonValidator(gatewayUrl),
    runCheckout({ ...options, runs: 2, url: gatewayUrl, random: seededRandom(4) }),
  ]);
  expect(await etl.flush({ timeoutMs: 10_000 })).toBe(true);
  expect(await workflow.flush({ timeoutMs: 10_000 })).toBe(true);

  // Every run ends with a `done`: the panels show the last phase of each resource, then rows.
  await page.waitForSelector(
    `[data-channel="${CHANNELS.etl}"] .lv-status[data-phase="load"][data-done="true"]`,
  );
  await page.waitForSelector(
    `[data-channel="${CHANNELS.workflow}"] .lv-status[data-phase="active"][data-done="true"]`,
  );
  await page.waitForSelector(`[data-channel="${CHANNELS.etl}"] [data-log-id]`);
  await page.waitForSelector(`[data-channel="${CHANNELS.functions}"] [data-log-id]`);
  await page.waitForFunction(
    (channel) => document.querySelector(`[data-channel="${channel}"] [data-level="error"]`) !== null,
    CHANNELS.functions,
  );
  await page
    .locator(`[data-channel="${CHANNELS.workflow}"] [data-log-id]`, { hasText: 'serving on :8000' })
    .waitFor();
  await page.waitForSelector(`[data-channel="${CHANNELS.validator}"] .lv-status[data-done="true"]`);
  await page
    .locator(`[data-channel="${CHANNELS.validator}"] [data-log-id]`, { hasText: 'run 1 finished' })
    .waitFor();
  for (const channel of Object.values(CHANNELS)) {
    const count = Number(await page.getAttribute(`[data-channel="${channel}"]`, 'data-count'));
    expect(count).toBeGreaterThan(5);
    const ids = await renderedIds(page, channel);
    expect(new Set(ids).size).toBe(ids.length);
  }
  await screenshot(page, 'start-page');

  expect(app.streamRequests).toHaveLength(1);
  expect(new URL(app.streamRequests[0]!).searchParams.get('channels')?.split(',').sort()).toEqual(
    Object.values(CHANNELS).sort(),
  );
});

/** One run of the Python sample service (examples/python-service), with the package from python/src. */
function runPythonValidator(url: string): Promise<void> {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const child = spawn(
    'python3',
    [
      `${root}examples/python-service/validator.py`,
      '--url',
      url,
      '--runs',
      '1',
      '--pace',
      '0',
      '--seed',
      '4',
    ],
    { env: { ...process.env, PYTHONPATH: `${root}python/src` }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`validator.py exited with ${code}: ${stderr}`)),
    );
  });
}

it('renders a message holding markup as text and runs no script from it', async () => {
  app = await openApp(browser, appUrl);
  const { page } = app;
  await waitForConnection(page, 'open');
  const hostile = '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script>';
  publisher('etl').publish({
    workspace_id: 'demo',
    resource_id: 'nightly-import',
    level: 'warn',
    message: hostile,
  });

  const row = page.locator(`[data-channel="${CHANNELS.etl}"] [data-log-id]`).first();
  await row.waitFor();
  expect(await row.locator('.lv-message').textContent()).toBe(hostile);
  expect(await page.locator('[data-channel] img, [data-channel] script').count()).toBe(0);
  expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
});

it('filters a panel by level and highlights the text searched for', async () => {
  app = await openApp(browser, appUrl);
  const { page } = app;
  await waitForConnection(page, 'open');
  const fn = publisher('functions');
  const lines: Array<[string, string]> = [
    ['debug', 'cache lookup for needle-1'],
    ['info', 'resized needle-2 in 80 ms'],
    ['warn', 'slow disk while writing hay-3'],
    ['error', 'cannot decode NEEDLE-4'],
    ['info', 'finished hay-5'],
    ['fatal', 'out of memory near needle-6'],
  ];
  for (const [level, message] of lines) {
    fn.publish({ workspace_id: 'demo', resource_id: 'thumbnailer', level, message });
  }
  const channel = CHANNELS.functions;
  const panel = page.locator(`[data-channel="${channel}"]`);
  await waitForCount(page, channel, lines.length);

  await panel.getByLabel('lowest level').selectOption('warn');
  await waitForCount(page, channel, 3);
  const levels = await panel
    .locator('[data-log-id]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-level')));
  expect(levels).toEqual(['warn', 'error', 'fatal']);

  await panel.getByLabel('lowest level').selectOption('trace');
  await panel.getByLabel('search').fill('needle');
  await panel.getByText('4 matches').waitFor();
  await panel.getByRole('button', { name: 'Only matches' }).click();
  await waitForCount(page, channel, 4);
  const messages = await panel.locator('[data-log-id] .lv-message').allTextContents();
  expect(messages).toEqual([
    'cache lookup for needle-1',
    'resized needle-2 in 80 ms',
    'cannot decode NEEDLE-4',
    'out of memory near needle-6',
  ]);
  expect(await panel.locator('[data-log-id] mark').allTextContents()).toEqual([
    'needle',
    'needle',
    'NEEDLE',
    'needle',
  ]);

  // Search and level together; then clearing empties the panel while new entries still arrive.
  await panel.getByLabel('lowest level').selectOption('error');
  await waitForCount(page, channel, 2);
  await panel.getByLabel('search').fill('');
  await panel.getByRole('button', { name: 'Clear' }).click();
  await waitForCount(page, channel, 0);
  fn.publish({ workspace_id: 'demo', resource_id: 'thumbnailer', level: 'error', message: 'after clear' });
  await waitForCount(page, channel, 1);
  await screenshot(page, 'filters');
});

it('shows the workflow phases on the workflow view, and where a run failed', async () => {
  app = await openApp(browser, appUrl, '#/workflow');
  const { page } = app;
  await waitForConnection(page, 'open');
  const workflow = publisher('workflow');
  const phases = page.locator('ol.phases li');
  const states = () =>
    phases.evaluateAll((items) => items.map((li) => `${li.textContent}:${li.getAttribute('data-state')}`));

  workflow.status('wf-llm-serving', { workspace_id: 'demo', phase: 'provisioning', progress: 10 });
  await page.waitForSelector('ol.phases li[data-state="current"]');
  expect(await states()).toEqual([
    'queued:past',
    'provisioning:current',
    'instance_ready:future',
    'installing:future',
    'model_loading:future',
    'health_check:future',
    'active:future',
  ]);
  expect(await page.getAttribute('[role="progressbar"]', 'aria-valuenow')).toBe('10');

  workflow.status('wf-llm-serving', {
    workspace_id: 'demo',
    phase: 'failed',
    progress: 45,
    message: 'installing',
  });
  await page.waitForSelector('ol.phases li[data-state="failed"]');
  expect((await states()).slice(2, 5)).toEqual([
    'instance_ready:past',
    'installing:failed',
    'model_loading:future',
  ]);
  expect(await page.getAttribute('[role="progressbar"]', 'aria-valuenow')).toBe('45');
});

it('shows, live, the records of a service that logs through the OpenTelemetry SDK to /v1/logs', async () => {
  const channel = CHANNELS.checkout;
  app = await openApp(browser, appUrl, '#/checkout');
  const { page } = app;
  await page.waitForSelector(`[data-channel="${channel}"]`);
  await waitForConnection(page, 'open');

  // The SDK's batch processor and OTLP/HTTP protobuf exporter, unchanged: three records per order.
  await runCheckout({ url: gatewayUrl, workspace: 'demo', runs: 2, paceMs: 0, random: seededRandom(4) });
  await waitForCount(page, channel, 6);
  const row = page.locator(`[data-channel="${channel}"] [data-log-id]`, { hasText: 'order ord-10001: ' });
  expect(await row.first().textContent()).toMatch(/order ord-10001: \d items in the cart/);
  expect(await row.first().getAttribute('data-level')).toBe('info');
  expect(
    await page.$$eval(`[data-channel="${channel}"] [data-log-id]`, (rows) =>
      rows.map((row) => row.getAttribute('data-level')),
    ),
  ).toEqual(expect.arrayContaining(['info', 'debug']));
  await screenshot(page, 'checkout-otlp');
});
