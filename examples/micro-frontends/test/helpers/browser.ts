import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium; the suite never downloads a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots go to the repository's `test-results/` folder (ignored by git, kept as CI artefacts). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../../test-results/', import.meta.url));

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A page of the app, with what a test checks at the end: stream requests and uncaught errors. */
export interface AppPage {
  page: Page;
  /** URLs of every `GET /api/logs/stream` the page made. */
  streamRequests: string[];
  /** Errors thrown in the page and not caught. */
  pageErrors: Error[];
  close(): Promise<void>;
}

/** Opens the app at `hash` in a fresh browser context (its own sessionStorage). */
export async function openApp(browser: Browser, appUrl: string, hash = '#/'): Promise<AppPage> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const streamRequests: string[] = [];
  const pageErrors: Error[] = [];
  page.on('request', (request) => {
    if (request.method() === 'GET' && request.url().includes('/api/logs/stream'))
      streamRequests.push(request.url());
  });
  page.on('pageerror', (error) => pageErrors.push(error));
  await page.goto(`${appUrl}${hash}`);
  return { page, streamRequests, pageErrors, close: () => context.close() };
}

/** Waits until the shell shows the shared connection in `status` (`open`, `reconnecting`, ...). */
export async function waitForConnection(page: Page, status: string): Promise<void> {
  await page.waitForSelector(`.topbar .connection[data-connection="${status}"]`);
}

/** Waits until the panel of `channel` holds exactly `count` rows (after its filters). */
export async function waitForCount(page: Page, channel: string, count: number): Promise<void> {
  await page.waitForSelector(`[data-channel="${channel}"][data-count="${count}"]`);
}

/** The `data-log-id` of every row the panel of `channel` has in the DOM (the visible window). */
export function renderedIds(page: Page, channel: string): Promise<string[]> {
  return page.$$eval(`[data-channel="${channel}"] [data-log-id]`, (rows) =>
    rows.map((row) => row.getAttribute('data-log-id') ?? ''),
  );
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png` });
}
