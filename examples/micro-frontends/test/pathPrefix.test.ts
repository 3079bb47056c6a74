import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGateway, type Gateway } from '@logs-sse/gateway';
import type { LogsPublisher } from '@logs-sse/publisher';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Nginx, startNginx } from '../../../scripts/nginx';
import { type AppPage, launchChromium, openApp, waitForConnection } from './helpers/browser';
import { CHANNELS, testPublisher } from './helpers/gateway';

const root = fileURLToPath(new URL('..', import.meta.url));
let outDir: string;
let gateway: Gateway;
let gatewayUrl: string;
let nginx: Nginx;
let browser: Browser;
let app: AppPage | undefined;
let publisher: LogsPublisher | undefined;

/**
 * The shape of most micro-frontend shells: one origin, the app under a path of its own and the gateway
 * behind the same origin under another, which the app names by a relative URL. No CORS at all.
 */
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'logs-sse-prefix-'));
  const { build } = await import('vite');
  const before = { url: process.env.VITE_LOGS_GATEWAY_URL, env: process.env.NODE_ENV };
  process.env.VITE_LOGS_GATEWAY_URL = '/logs-gateway';
  process.env.NODE_ENV = 'production';
  try {
    await build({ root, base: '/apps/logs/', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.VITE_LOGS_GATEWAY_URL = before.url;
    process.env.NODE_ENV = before.env;
  }
  // No corsOrigins: the gateway only ever sees its own origin's pages.
  gateway = createGateway({ logger: false });
  ({ url: gatewayUrl } = await gateway.listen({ port: 0, host: '127.0.0.1' }));
  nginx = await startNginx(
    (port) => `
    server {
      listen 127.0.0.1:${port};
      location /apps/logs/ {
        alias ${outDir}/;
        # Browsers run module scripts only when served as JavaScript.
        types { text/html html; text/css css; text/javascript js; }
      }
      location /logs-gateway/ {
        proxy_pass ${gatewayUrl}/;
        proxy_http_version 1.1;
        proxy_set_header Host $http_host;
        proxy_set_header Connection "";
        proxy_buffering off;
        gzip off;
        proxy_read_timeout 1h;
      }
    }`,
  );
  browser = await launchChromium();
});

afterAll(async () => {
  await app?.close();
  await publisher?.close();
  await browser?.close();
  await nginx?.stop();
  await gateway?.close();
  await rm(outDir, { recursive: true, force: true });
});

it('runs under a path prefix with the gateway behind the same origin, named by a relative URL', async () => {
  app = await openApp(browser, `${nginx.url}/apps/logs/`);
  const { page } = app;
  await waitForConnection(page, 'open');
  publisher = testPublisher(gatewayUrl, 'etl');
  publisher.publish({ workspace_id: 'demo', resource_id: 'nightly-import', message: 'through the prefix' });
  await page
    .locator(`[data-channel="${CHANNELS.etl}"] [data-log-id]`, { hasText: 'through the prefix' })
    .waitFor();
  expect(app.streamRequests).toHaveLength(1);
  expect(app.streamRequests[0]!.startsWith(`${nginx.url}/logs-gateway/api/logs/stream?`)).toBe(true);
  expect(app.pageErrors.map(String)).toEqual([]);
});
