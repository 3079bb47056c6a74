// Long tasks in Chromium while the demo app (examples/micro-frontends) shows 1,000 logs/s in one panel:
// the app is built against a gateway on a free loopback port, served statically, opened at #/etl, and a
// publisher in this process posts batches every 50 ms to the panel's channel. The page records every
// 'longtask' (main thread busy > 50 ms) through a PerformanceObserver, and the frames it painted.
//
//   node bench/browser-long-tasks.mjs [logsPerSecond=1000] [seconds=8]     (needs pnpm build, /usr/bin/chromium)
//
// Prints a JSON line {logs_per_s, seconds, delivered, long_tasks, long_task_ms, max_long_task_ms, ...}.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort, sleep } from './fanout/proc.mjs';
import { serve } from './staticServer.mjs';

const RATE = Number(process.argv[2] ?? 1000);
const SECONDS = Number(process.argv[3] ?? 8);
const BATCH_MS = 50;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const root = new URL('../', import.meta.url);
const appDir = fileURLToPath(new URL('examples/micro-frontends/', root));
const gatewayCli = fileURLToPath(new URL('packages/gateway/dist/cli.js', root));

for (const [path, what] of [
  [CHROMIUM, 'Chromium (set CHROMIUM_PATH)'],
  [join(appDir, 'package.json'), 'the demo app'],
  [gatewayCli, 'the gateway build (pnpm build)'],
]) {
  if (!existsSync(path)) {
    console.error(`browser bench skipped: missing ${what} at ${path}`);
    console.log(JSON.stringify({ skipped: `missing ${what}` }));
    process.exit(0);
  }
}

const appRequire = createRequire(join(appDir, 'package.json'));
const { chromium } = appRequire('playwright-core');
const { build } = await import(pathToFileURL(appRequire.resolve('vite')).href);

const cleanups = [];
const hardStop = setTimeout(() => {
  console.error('browser bench passed its 120 s limit');
  process.exit(1);
}, 120_000);

try {
  const gatewayPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;

  // 1. The app, built as users get it, against this gateway.
  const outDir = await mkdtemp(join(tmpdir(), 'bench-app-'));
  cleanups.push(() => rm(outDir, { recursive: true, force: true }));
  process.env.VITE_LOGS_GATEWAY_URL = gatewayUrl;
  process.env.NODE_ENV = 'production';
  await build({ root: appDir, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const app = await serve(outDir);
  cleanups.push(app.close);

  // 2. The gateway CLI, allowing the app's origin.
  const gateway = spawn(
    process.execPath,
    [gatewayCli, '--port', String(gatewayPort), '--host', '127.0.0.1'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, LOGS_SSE_CORS_ORIGINS: new URL(app.url).origin, LOGS_SSE_LOG_LEVEL: 'warn' },
    },
  );
  cleanups.push(() => gateway.kill('SIGKILL'));
  await new Promise((resolve, reject) => {
    gateway.stdout.on('data', (chunk) => String(chunk).includes('http://') && resolve());
    gateway.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
  });

  // 3. Chromium at #/etl, observing long tasks from the start.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  cleanups.push(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        window.__longTasks.push({ start: entry.startTime, ms: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
    window.__frames = 0;
    const tick = () => {
      window.__frames++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`${app.url}#/etl`);
  await page.waitForSelector('.topbar .connection[data-connection="open"]', { timeout: 30_000 });
  const channel = await page.getAttribute('[data-channel]', 'data-channel');
  // The observer must see a known long task (80 ms of busy loop), or a result of zero would prove nothing.
  await page.evaluate(
    () =>
      new Promise((resolve) =>
        setTimeout(() => {
          const end = performance.now() + 80;
          while (performance.now() < end) {}
          setTimeout(resolve, 50);
        }, 0),
      ),
  );
  await sleep(500);
  const observerWorks = await page.evaluate(() => window.__longTasks.some((t) => t.ms >= 75));
  if (!observerWorks) {
    const types = await page.evaluate(() => PerformanceObserver.supportedEntryTypes.join(','));
    throw new Error(`the longtask observer did not report a known 80 ms task (entry types: ${types})`);
  }
  const before = await page.evaluate(() => ({
    tasks: window.__longTasks.length,
    frames: window.__frames,
    at: performance.now(),
  }));

  // 4. RATE logs/s for SECONDS, in a batch every 50 ms.
  const total = RATE * SECONDS;
  const started = Date.now();
  let sent = 0;
  while (sent < total && Date.now() - started < SECONDS * 1000 + 5000) {
    const due = Math.min(total, Math.floor((RATE * (Date.now() - started)) / 1000));
    if (due > sent) {
      const logs = [];
      for (; sent < due; sent++) {
        logs.push({
          channel,
          level: sent % 10 === 0 ? 'warn' : 'info',
          message: `row batch ${sent}: 250 rows written to staging in ${sent % 90} ms`,
        });
      }
      const res = await fetch(`${gatewayUrl}/api/logs/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ logs }),
      });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`publish answered ${res.status}`);
    }
    await sleep(BATCH_MS);
  }
  const publishSeconds = (Date.now() - started) / 1000;
  await page
    .waitForSelector(`[data-channel="${channel}"][data-count="${total}"]`, { timeout: 15_000 })
    .catch(() => {});
  const delivered = Number(await page.getAttribute('[data-channel]', 'data-count'));
  const after = await page.evaluate(() => ({
    tasks: window.__longTasks,
    frames: window.__frames,
    at: performance.now(),
  }));
  const tasks = after.tasks.slice(before.tasks);
  const windowMs = after.at - before.at;
  const result = {
    logs_per_s: RATE,
    seconds: SECONDS,
    publish_seconds: Number(publishSeconds.toFixed(2)),
    published: sent,
    delivered,
    long_tasks: tasks.length,
    long_task_ms: Math.round(tasks.reduce((sum, t) => sum + t.ms, 0)),
    max_long_task_ms: Math.round(Math.max(0, ...tasks.map((t) => t.ms))),
    busy_pct: Number(((tasks.reduce((sum, t) => sum + t.ms, 0) / windowMs) * 100).toFixed(1)),
    fps: Number(((after.frames - before.frames) / (windowMs / 1000)).toFixed(1)),
    page_errors: errors.length,
    observer_checked: observerWorks,
  };
  console.error(
    `${RATE} logs/s for ${SECONDS} s into one panel: ${delivered}/${sent} shown, ${result.long_tasks} long tasks ` +
      `(${result.long_task_ms} ms in all, longest ${result.max_long_task_ms} ms), ${result.fps} frames/s`,
  );
  console.log(JSON.stringify(result));
} finally {
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
  clearTimeout(hardStop);
}
