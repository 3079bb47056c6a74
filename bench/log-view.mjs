// LogView against @melloware/react-logviewer in Chromium, fed the same stream in the same run.
//
// The page in bench/log-view/ is built with Vite and opened once per view, each on a channel of its own:
// `none` (the hook alone, the baseline), `ours` (LogView) and `melloware` (LazyLog fed through
// `external` + `appendLines`). Two loads: "100k" fills the view with 80,000 entries, then sends 2,000
// logs/s for 10 s while it follows (100,000 kept); "10k" sends 1,000 logs/s for 10 s into an empty view.
// Then the page scrolls the view up for 3 s. Long tasks and frames are counted in the page; the JS heap
// and DOM nodes are read through the DevTools protocol after a forced garbage collection. The fill waits
// for the view (at most 5,000 entries ahead) and gives up after 60 s.
//
//   node bench/log-view.mjs [--quick]     (needs pnpm build, /usr/bin/chromium; --quick: the 10k load only)
//   BENCH_LOG_VIEWS=ours,melloware        some of the views
//   BENCH_LOG_VIEW_PROFILE=1              a CPU profile of each live phase in bench/profiles/ (unminified build)
//
// Prints a JSON line {"100k": {views, ratios}, "10k": {views, ratios}}.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort, sleep } from './fanout/proc.mjs';
import { serve } from './staticServer.mjs';

// The issue's load (100,000 kept, 2,000 logs/s for 10 s), and a lighter one that every view can take.
const SCENARIOS = [
  { name: '100k', prefill: 80_000, rate: 2000, seconds: 10 },
  { name: '10k', prefill: 0, rate: 1000, seconds: 10 },
].filter((s) => !process.argv.includes('--quick') || s.name === '10k');
const PREFILL_LIMIT_MS = 60_000;
const SCROLL_MS = 3000;
const BATCH_MS = 50;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LIMIT_MS = 330_000;
const VIEWS = (process.env.BENCH_LOG_VIEWS ?? 'none,ours,melloware').split(',');
const PROFILE = process.env.BENCH_LOG_VIEW_PROFILE === '1';
const root = new URL('../', import.meta.url);
const pageDir = fileURLToPath(new URL('bench/log-view/', root));
const gatewayCli = fileURLToPath(new URL('packages/gateway/dist/cli.js', root));
const say = (text) => process.stderr.write(`${text}\n`);

for (const [path, what] of [
  [CHROMIUM, 'Chromium (set CHROMIUM_PATH)'],
  [join(pageDir, 'node_modules/@melloware/react-logviewer/package.json'), 'the bench page (pnpm install)'],
  [gatewayCli, 'the gateway build (pnpm build)'],
]) {
  if (!existsSync(path)) {
    say(`log view bench skipped: missing ${what} at ${path}`);
    console.log(JSON.stringify({ skipped: `missing ${what}` }));
    process.exit(0);
  }
}

const pageRequire = createRequire(join(pageDir, 'package.json'));
const { chromium } = pageRequire('playwright-core');
const { build } = await import(pathToFileURL(pageRequire.resolve('vite')).href);

const cleanups = [];
const hardStop = setTimeout(() => {
  say(`log view bench passed its ${LIMIT_MS / 1000} s limit`);
  process.exit(1);
}, LIMIT_MS);

let seq = 0;
/** The same lines for every view: mostly plain, every tenth a warning with an ANSI colour. */
function line(channel) {
  seq++;
  return seq % 10 === 0
    ? { channel, level: 'warn', message: `\x1b[33mslow\x1b[0m batch ${seq}: 250 rows in ${seq % 900} ms` }
    : { channel, level: 'info', message: `row batch ${seq}: 250 rows written to staging in ${seq % 90} ms` };
}

async function publish(gatewayUrl, logs) {
  const res = await fetch(`${gatewayUrl}/api/logs/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ logs }),
  });
  await res.arrayBuffer();
  if (res.status !== 202) throw new Error(`publish answered ${res.status}`);
}

const count = (page) => page.evaluate(() => window.__count);

async function waitForCount(page, target, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ((await count(page)) >= target) return true;
    await sleep(100);
  }
  return false;
}

const snapshot = (page) =>
  page.evaluate(() => ({ tasks: window.__longTasks.length, frames: window.__frames, at: performance.now() }));

async function measureSince(page, before) {
  const after = await page.evaluate(() => ({
    tasks: window.__longTasks,
    frames: window.__frames,
    at: performance.now(),
  }));
  const tasks = after.tasks.slice(before.tasks);
  const windowMs = after.at - before.at;
  const total = tasks.reduce((sum, t) => sum + t.ms, 0);
  return {
    long_tasks: tasks.length,
    long_task_ms: Math.round(total),
    max_long_task_ms: Math.round(Math.max(0, ...tasks.map((t) => t.ms))),
    fps: Number(((after.frames - before.frames) / (windowMs / 1000)).toFixed(1)),
  };
}

async function runView(
  browser,
  appUrl,
  gatewayUrl,
  view,
  { name, prefill: PREFILL, rate: RATE, seconds: SECONDS },
) {
  const channel = `logs:bench:${name}:${view}`;
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push({ ms: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
    window.__frames = 0;
    const tick = () => {
      window.__frames++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const query = new URLSearchParams({ view, gateway: gatewayUrl, channel });
  await page.goto(`${appUrl}?${query}`);
  // The stream is open once a first entry shows.
  const until = Date.now() + 20_000;
  while ((await count(page)) === 0 && Date.now() < until) {
    await publish(gatewayUrl, [line(channel)]);
    await sleep(200);
  }
  say(`  ${view}: prefill ${PREFILL}`);
  const prefillStarted = Date.now();
  let sent = await count(page);
  while (sent < PREFILL) {
    // Never more than 5,000 ahead of the page, so no view is cut off by the gateway for lagging.
    if (sent - (await count(page)) > 5000) {
      await sleep(20);
      continue;
    }
    const logs = [];
    for (let i = 0; i < 1000 && sent < PREFILL; i++, sent++) logs.push(line(channel));
    await publish(gatewayUrl, logs);
    if (Date.now() - prefillStarted > PREFILL_LIMIT_MS) {
      const shown = await count(page);
      await page.close();
      return {
        error: `took ${shown} of ${PREFILL} entries in ${PREFILL_LIMIT_MS / 1000} s`,
        prefill_reached: shown,
      };
    }
  }
  await waitForCount(page, PREFILL, 30_000);
  const prefill_s = Number(((Date.now() - prefillStarted) / 1000).toFixed(1));

  say(`  ${view}: ${RATE} logs/s for ${SECONDS} s`);
  const cdp = await page.context().newCDPSession(page);
  if (PROFILE) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  const before = await snapshot(page);
  const total = PREFILL + RATE * SECONDS;
  const started = Date.now();
  while (sent < total && Date.now() - started < SECONDS * 1000 + 5000) {
    const due = Math.min(total, PREFILL + Math.floor((RATE * (Date.now() - started)) / 1000));
    if (due > sent) {
      const logs = [];
      for (; sent < due; sent++) logs.push(line(channel));
      await publish(gatewayUrl, logs);
    }
    await sleep(BATCH_MS);
  }
  const caughtUp = await waitForCount(page, total, 15_000);
  const live = {
    ...(await measureSince(page, before)),
    delivered: await count(page),
    published: sent,
    caughtUp,
  };
  if (PROFILE) {
    const { profile } = await cdp.send('Profiler.stop');
    const dir = fileURLToPath(new URL('profiles/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `log-view-${view}.cpuprofile`), JSON.stringify(profile));
  }

  say(`  ${view}: scrolling for ${SCROLL_MS / 1000} s`);
  const beforeScroll = await snapshot(page);
  await page.evaluate(
    (ms) =>
      new Promise((resolve) => {
        // The view's scrolling element: the largest element that scrolls.
        const scrollers = [...document.querySelectorAll('#root *')].filter(
          (el) =>
            el.scrollHeight > el.clientHeight + 10 && /auto|scroll/.test(getComputedStyle(el).overflowY),
        );
        const scroller = scrollers.sort((a, b) => b.scrollHeight - a.scrollHeight)[0];
        if (!scroller) return resolve();
        const end = performance.now() + ms;
        const step = () => {
          scroller.scrollTop -= 150;
          if (performance.now() < end) requestAnimationFrame(step);
          else resolve();
        };
        requestAnimationFrame(step);
      }),
    view === 'none' ? 0 : SCROLL_MS,
  );
  const scroll = await measureSince(page, beforeScroll);

  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name) => metrics.find((m) => m.name === name)?.value ?? null;
  const heapMb = Number((metric('JSHeapUsedSize') / 1024 / 1024).toFixed(1));
  await page.close();
  return {
    prefill_s,
    live,
    scroll: view === 'none' ? null : scroll,
    heap_mb: heapMb,
    dom_nodes: metric('Nodes'),
    page_errors: errors.length,
  };
}

try {
  const gatewayPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const outDir = await mkdtemp(join(tmpdir(), 'bench-log-view-'));
  cleanups.push(() => rm(outDir, { recursive: true, force: true }));
  process.env.NODE_ENV = 'production';
  await build({ root: pageDir, logLevel: 'warn', build: { outDir, emptyOutDir: true, minify: !PROFILE } });
  const app = await serve(outDir);
  cleanups.push(app.close);

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

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  cleanups.push(() => browser.close());

  const scenarios = {};
  for (const scenario of SCENARIOS) {
    const views = {};
    for (const view of VIEWS) {
      say(`log view bench ${scenario.name}: ${view}`);
      views[view] = await runView(browser, app.url, gatewayUrl, view, scenario).catch((error) => ({
        error: error.message,
      }));
    }
    scenarios[scenario.name] = summarise(scenario, views);
  }
  console.log(JSON.stringify(scenarios));
} finally {
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
  clearTimeout(hardStop);
}

function summarise({ name: scenario, prefill, rate, seconds }, views) {
  const ours = views.ours ?? { error: 'not run' };
  const mell = views.melloware ?? { error: 'not run' };
  const base = views.none?.heap_mb ?? 0;
  const ratio = (a, b) =>
    Number.isFinite(a) && Number.isFinite(b) && b > 0 ? Number((a / b).toFixed(2)) : null;
  const result = {
    logs_per_s: rate,
    seconds,
    kept: prefill + rate * seconds,
    views,
    ratios:
      ours.error || mell.error
        ? null
        : {
            // Lower is better for these three; higher for frames.
            long_task_ms: ratio(ours.live.long_task_ms, mell.live.long_task_ms),
            max_long_task_ms: ratio(ours.live.max_long_task_ms, mell.live.max_long_task_ms),
            view_heap_mb: ratio(ours.heap_mb - base, mell.heap_mb - base),
            fps_live: ratio(ours.live.fps, mell.live.fps),
            fps_scroll: ratio(ours.scroll.fps, mell.scroll.fps),
          },
  };
  for (const [name, v] of Object.entries(views)) {
    if (v.error) say(`${scenario}: ${name}: ${v.error}`);
    else
      say(
        `${scenario}: ${name}: ${v.live.delivered}/${v.live.published} shown, ${v.live.long_tasks} long tasks ` +
          `(max ${v.live.max_long_task_ms} ms, ${v.live.long_task_ms} ms in all), ${v.live.fps} frames/s live` +
          `${v.scroll ? `, ${v.scroll.fps} frames/s scrolling (max task ${v.scroll.max_long_task_ms} ms)` : ''}` +
          `, heap ${v.heap_mb} MB, ${v.dom_nodes} DOM nodes, prefill ${v.prefill_s} s`,
      );
  }
  return result;
}
