import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gateway } from '@logs-sse/gateway';
import { startGateway } from '@logs-sse/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { FaultProxy } from '../../../packages/client/test/faultProxy';
import { launchChromium } from './helpers/browser';

// Chromium's own EventSource knows nothing of logs-sse: it resumes with the last `id:` it saw, and
// nothing else. The stream must say where it starts (an id on `hello`) for it to miss nothing.

const CHANNEL = 'logs:svc:ws:browser';
const PAGE = `<!doctype html><script>
  const seen = (window.seen = { hellos: [], logs: [], errors: 0 });
  const source = new EventSource(new URLSearchParams(location.search).get('stream'));
  source.addEventListener('hello', (event) => seen.hellos.push(event.lastEventId));
  source.addEventListener('log', (event) => seen.logs.push(JSON.parse(event.data).message));
  source.addEventListener('error', () => seen.errors++);
</script>`;

let browser: Browser;
let page: Server;
let pageUrl: string;
let gateway: Gateway | undefined;
let proxy: FaultProxy | undefined;

beforeAll(async () => {
  browser = await launchChromium();
  page = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await proxy?.close();
  await gateway?.close();
});
afterAll(async () => {
  await browser?.close();
  page.closeAllConnections();
  await new Promise<void>((resolve) => page.close(() => resolve()));
});

async function publish(url: string, messages: string[]): Promise<void> {
  const response = await fetch(`${url}/api/logs/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ logs: messages.map((message) => ({ channel: CHANNEL, message })) }),
  });
  expect(response.status).toBe(202);
}

function seen(tab: Page, what: string): Promise<unknown> {
  return tab.waitForFunction(what);
}

it("Chromium's EventSource, cut before its first entry and refused while entries arrive, misses none", async () => {
  let url: string;
  ({ gateway, url } = await startGateway({ retryMs: 10, corsOrigins: [pageUrl] }));
  proxy = await FaultProxy.start(url);
  const tab = await browser.newPage();
  await tab.goto(
    `${pageUrl}/?stream=${encodeURIComponent(`${proxy.url}/api/logs/stream?channels=${CHANNEL}`)}`,
  );
  await seen(tab, 'window.seen.hellos.length === 1');

  // Cut before any entry, and refused while three are published: the reconnect must ask for them.
  proxy.refuse();
  proxy.cutAll();
  await seen(tab, 'window.seen.errors >= 2');
  await publish(url, ['one', 'two', 'three']);
  proxy.resume();
  await seen(tab, 'window.seen.logs.length >= 3');

  // Cut again between entries: it resumes from the last entry's id.
  proxy.refuse();
  proxy.cutAll();
  await seen(tab, 'window.seen.errors >= 4');
  await publish(url, ['four', 'five']);
  proxy.resume();
  await seen(tab, 'window.seen.logs.length >= 5');
  await publish(url, ['six']);
  await seen(tab, 'window.seen.logs.length >= 6');

  const result = (await tab.evaluate('window.seen')) as { hellos: string[]; logs: string[] };
  expect(result.logs).toEqual(['one', 'two', 'three', 'four', 'five', 'six']);
  // Every connection began with hello, each with an id to resume from.
  expect(result.hellos).toHaveLength(3);
  for (const id of result.hellos) expect(id).toMatch(/^\d+-\d+$/);
  await tab.close();
});
