// The benchmark suite: fan-out and memory against nginx + nchan and better-sse, the publisher against pino,
// the Python publisher against the standard library's QueueHandler, OTLP logs against our NDJSON publish,
// the client against a bare parser, LogView against @melloware/react-logviewer; 10,000 subscribers on one
// process against nchan, and Redis mode (two gateways and redis-server) against one in-memory gateway.
// Every peer runs in the same run as ours; repeated rounds give medians.
//
//   pnpm bench            full run (about twenty-five minutes on 2 cores), with the browser checks
//   pnpm bench --quick    bounded run, a few minutes: one round, shorter steps, the one-channel and
//                         low-rate scenarios and two fixed rates of Redis mode
//
// Prints a table and writes bench/results.json. Needs `pnpm build` first (the gateway CLI, publisher and
// client are run from dist).
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { bestLine, runOne, SCENARIOS, settings } from './fanout/fanout.mjs';
import { lowRateRows, runLowRate } from './fanout/lowrate.mjs';
import { patternRows, patternSettings, runPatterns } from './fanout/patterns.mjs';
import { loadAverage, median } from './fanout/proc.mjs';
import { redisRows, redisSettings, runRedisBench } from './fanout/redis.mjs';
import { SERVERS } from './fanout/servers.mjs';

const quick = process.argv.includes('--quick');
const root = new URL('../', import.meta.url);
const started = Date.now();
const opts = settings(quick);
const say = (text) => process.stderr.write(`${text}\n`);

for (const dist of ['gateway/dist/cli.js', 'publisher/dist/index.js', 'client/dist/index.js']) {
  if (!existsSync(fileURLToPath(new URL(`packages/${dist}`, root)))) {
    say(`missing packages/${dist}: run \`pnpm build\` first`);
    process.exit(1);
  }
}

const machine = {
  cpus: cpus().length,
  cpu_model: cpus()[0]?.model ?? 'unknown',
  node: process.version,
  date: new Date().toISOString(),
  load_before: loadAverage(),
};
say(
  `logs-sse bench${quick ? ' --quick' : ''}: ${machine.cpus} CPUs, Node ${machine.node}, load ${machine.load_before.join(' ')}`,
);

// ---- fan-out -------------------------------------------------------------------------------------------

/** Servers a scenario leaves out, and why. */
const LEFT_OUT = { tenk: { 'better-sse': 'not run with 10,000 subscribers (ours vs nchan only)' } };
/** Goal of each scenario's ratio ours / nchan, in delivered logs per second. */
const GOALS = { tenk: 3 };

/** Per server and scenario, the results of each round. */
async function fanoutRounds(scenario) {
  const rounds = Object.fromEntries(SERVERS.map((s) => [s, []]));
  const skipped = { ...LEFT_OUT[scenario] };
  for (let round = 0; round < opts.repeats; round++) {
    // Rotating the order, so that no server always runs first on a warm or cold machine.
    const order = SERVERS.map((_, i) => SERVERS[(i + round) % SERVERS.length]);
    for (const name of order) {
      if (skipped[name]) continue;
      say(`fan-out ${scenario} round ${round + 1}/${opts.repeats}: ${name}`);
      let result;
      try {
        result = await runOne(name, scenario, opts);
      } catch (error) {
        result = { error: error.message };
      }
      if (result.skipped) {
        skipped[name] = result.skipped;
        say(`  skipped ${name}: ${result.skipped}`);
        continue;
      }
      if (result.error) say(`  ${name}: ${result.error}`);
      say(bestLine(result.best));
      rounds[name].push(result);
    }
  }
  return { rounds, skipped };
}

/** CPU per delivered event of each server at the highest rate all of them delivered in full. */
function cpuAtCommonRate(results) {
  const names = Object.keys(results).filter((n) => results[n]?.steps?.length);
  if (names.length < 2) return {};
  const okRates = names.map((n) => new Set(results[n].steps.filter((s) => s.ok).map((s) => s.rate)));
  const common = [...okRates[0]]
    .filter((r) => okRates.every((set) => set.has(r)))
    .sort((a, b) => a - b)
    .at(-1);
  if (common === undefined) return {};
  const out = { rate: common };
  for (const n of names)
    out[n] = results[n].steps.find((s) => s.ok && s.rate === common).server_cpu_ns_per_event;
  return out;
}

function summariseFanout(scenario, { rounds, skipped }) {
  const shape = SCENARIOS[scenario];
  const pick = (name, key) =>
    median(rounds[name].map((r) => r.best?.[key] ?? (key === 'rate' ? 0 : Number.NaN)));
  const perServer = {};
  for (const name of SERVERS) {
    if (skipped[name]) {
      perServer[name] = { skipped: skipped[name] };
      continue;
    }
    const common = rounds[name].map((_, i) =>
      cpuAtCommonRate(Object.fromEntries(SERVERS.map((s) => [s, rounds[s][i]]))),
    );
    perServer[name] = {
      logs_per_s: pick(name, 'rate'),
      events_per_s: pick(name, 'events_per_s'),
      p99_ms: pick(name, 'p99_ms'),
      cpu_ns_per_event: pick(name, 'server_cpu_ns_per_event'),
      server_cpu_pct: pick(name, 'server_cpu_pct'),
      generator_cpu_pct: pick(name, 'generator_cpu_pct'),
      cpu_ns_per_event_at_common_rate: median(common.map((c) => c[name])),
      // At the ladder's first rate, passed or not: a CPU figure every server has even when the machine
      // is too busy for any step to pass (10,000 subscribers on a shared machine).
      cpu_ns_per_event_first_step: median(rounds[name].map((r) => r.steps?.[0]?.server_cpu_ns_per_event)),
      common_rate: median(common.map((c) => c.rate)),
      reached_top_of_ladder: rounds[name].some((r) => r.ceiling),
      rounds: rounds[name].map((r) => r.best?.rate ?? 0),
    };
  }
  const ours = perServer.ours;
  const nchan = perServer.nchan;
  const ratio = (a, b) =>
    Number.isFinite(a) && Number.isFinite(b) && b > 0 ? Number((a / b).toFixed(2)) : null;
  return {
    ours_logs_per_s: ours.logs_per_s ?? null,
    nchan_logs_per_s: nchan.logs_per_s ?? null,
    better_sse_logs_per_s: perServer['better-sse'].logs_per_s ?? null,
    ratio: ratio(ours.logs_per_s, nchan.logs_per_s),
    ours_p99_ms: ours.p99_ms ?? null,
    nchan_p99_ms: nchan.p99_ms ?? null,
    subscribers: shape.subscribers,
    channels: shape.channels,
    channels_per_subscriber: shape.perSub,
    deliveries_per_log: (shape.subscribers * shape.perSub) / shape.channels,
    // Lower is better: server CPU per delivered event, ours over nchan, at the highest rate both delivered.
    cpu_ratio_at_common_rate: ratio(
      ours.cpu_ns_per_event_at_common_rate,
      nchan.cpu_ns_per_event_at_common_rate,
    ),
    cpu_ratio_first_step: ratio(ours.cpu_ns_per_event_first_step, nchan.cpu_ns_per_event_first_step),
    generator_saturated: Object.values(perServer).some((s) => (s.generator_cpu_pct ?? 0) >= 90),
    servers: perServer,
  };
}

// ---- memory --------------------------------------------------------------------------------------------

/** Idle connections per server; `scenario` is `memory` (5,000, every server) or `memory10k` (ours, nchan). */
async function memory(scenario = 'memory', servers = SERVERS) {
  const rounds = quick ? 1 : 2;
  const connections = scenario === 'memory' ? opts.memoryConnections : SCENARIOS[scenario].subscribers;
  const values = Object.fromEntries(servers.map((name) => [name, []]));
  const skipped = {};
  // Round by round, every server once, so that none always meets the machine at the same load.
  for (let round = 0; round < rounds; round++) {
    for (const name of servers) {
      if (skipped[name]) continue;
      say(`memory round ${round + 1}/${rounds}: ${name}, ${connections} idle connections`);
      const result = await runOne(name, scenario, opts).catch((error) => ({ error: error.message }));
      if (result.skipped) {
        skipped[name] = result.skipped;
        continue;
      }
      if (result.error || !result.live_check)
        say(`  ${name}: ${result.error ?? 'not every connection received the check message'}`);
      else values[name].push(result);
      say(`  ${result.kb_per_conn ?? '-'} kB per connection`);
    }
  }
  const perServer = {};
  for (const name of servers) {
    const v = values[name];
    perServer[name] = skipped[name]
      ? { skipped: skipped[name] }
      : {
          kb_per_conn: round2(median(v.map((r) => r.kb_per_conn))),
          connections: v[0]?.connections ?? 0,
          rss_before_kb: median(v.map((r) => r.rss_before_kb)),
          rss_after_kb: median(v.map((r) => r.rss_after_kb)),
        };
  }
  const ours = perServer.ours.kb_per_conn;
  const nchan = perServer.nchan.kb_per_conn;
  return {
    ours_kb_per_conn: ours ?? null,
    nchan_kb_per_conn: nchan ?? null,
    better_sse_kb_per_conn: perServer['better-sse']?.kb_per_conn ?? null,
    ratio: ours && nchan ? Number((ours / nchan).toFixed(2)) : null,
    connections,
    servers: perServer,
  };
}

const round2 = (v) => (v === null ? null : Number(v.toFixed(2)));

// ---- publisher and client: their own scripts, whose last line is JSON ----------------------------------

function runScript(script, args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last));
      } catch {
        resolve({ error: `${script} exited with ${code} without a JSON result` });
      }
    });
  });
}

// ---- main ----------------------------------------------------------------------------------------------

// `tenk` (10,000 subscribers) takes minutes per round: the quick run leaves it out.
const scenarios = quick ? ['one'] : ['one', 'many', 'tenk'];
const fanout = {};
for (const scenario of scenarios) fanout[scenario] = summariseFanout(scenario, await fanoutRounds(scenario));
// Single-log POSTs at 200/s into 1,000 subscribers, nchan and ours side by side; the full run adds ours
// with the flush window off, to show what the window changes.
const lowRate = await runLowRate({
  quick,
  windows: quick ? [undefined] : [undefined, 0],
  rounds: quick ? 1 : 3,
  say,
});
const memoryResult = await memory();
say('Redis mode: two gateways and redis-server against one in-memory gateway');
const redisMode = await runRedisBench(redisSettings(quick), say);
// The full run also opens 10,000 idle connections, against nchan only: the slowest part to set up.
const memory10k = quick ? { skipped: 'not run with --quick' } : await memory('memory10k', ['ours', 'nchan']);
say('publish cost with 10,000 patterns held (ours only)');
const patterns = await runPatterns(patternSettings(quick), say);
say('publisher vs pino');
const publisher = await runScript('publisher.mjs', quick ? ['20000', '3'] : ['100000', '5'], 180_000);
say('Python publisher vs logging.handlers.QueueHandler, and sustained delivery');
const pythonPublisher = await runScript(
  'python-publisher.mjs',
  quick ? ['20000', '3', '100000'] : ['100000', '5', '300000'],
  300_000,
);

say('publish with and without an Idempotency-Key');
const idempotency = await runScript('idempotency.mjs', quick ? ['300', '3'] : ['2000', '5'], 300_000);

say('OTLP logs vs NDJSON publish, gateway CPU per record');
const otlp = await runScript('otlp.mjs', quick ? ['60', '1'] : ['200', '3'], 180_000);
say('client vs eventsource-parser + JSON.parse (from a Response, and bare)');
const client = await runScript('client-throughput.mjs', [], 180_000);
// The browser figure needs the demo app and Chromium; the quick run leaves it out to stay under a minute.
let browser = { skipped: 'not run with --quick' };
if (!quick) {
  say('browser: 1,000 logs/s into one panel of the demo app, long tasks in Chromium');
  browser = await runScript('browser-long-tasks.mjs', ['1000', '8'], 150_000);
}
let logView = { skipped: 'not run with --quick' };
if (!quick) {
  say('browser: LogView and @melloware/react-logviewer fed the same stream in Chromium');
  logView = await runScript('log-view.mjs', [], 360_000);
}

const results = {
  fanout: { ...fanout.one, many: fanout.many, tenk: fanout.tenk },
  low_rate: lowRate,
  redis_mode: redisMode,
  publisher,
  python_publisher: pythonPublisher,
  otlp,
  idempotency,
  client,
  memory: memoryResult,
  memory_10k: memory10k,
  patterns,
  browser,
  log_view: logView,
  machine: {
    ...machine,
    load_after: loadAverage(),
    quick,
    seconds: Math.round((Date.now() - started) / 1000),
  },
};
writeFileSync(
  fileURLToPath(new URL('results.json', import.meta.url)),
  `${JSON.stringify(results, null, 2)}\n`,
);
printTable(results);

function printTable(r) {
  const f = (v, digits = 0) =>
    v === null || v === undefined || Number.isNaN(v) ? '-' : Number(v).toFixed(digits);
  const rows = [];
  for (const scenario of scenarios) {
    const s = fanout[scenario];
    const label = `fan-out ${s.subscribers} subs / ${s.channels} ch`;
    for (const name of SERVERS) {
      const v = s.servers[name];
      if (v.skipped) {
        rows.push([label, name, `skipped: ${v.skipped}`, '', '', '']);
        continue;
      }
      rows.push([
        label,
        name,
        `${f(v.logs_per_s)} logs/s${v.reached_top_of_ladder ? '+' : ''} (${f(v.events_per_s / 1000)}k ev/s)`,
        `p99 ${f(v.p99_ms)} ms`,
        `${f(v.cpu_ns_per_event)} ns CPU/ev (${f(v.cpu_ns_per_event_at_common_rate)} @${f(v.common_rate)}/s)`,
        `gen ${f(v.generator_cpu_pct)}%`,
      ]);
    }
    rows.push([
      label,
      'ratio',
      `ours/nchan ${f(s.ratio, 2)} (goal >= ${f(GOALS[scenario] ?? 1, 1)})`,
      '',
      `CPU/ev ours/nchan ${f(s.cpu_ratio_at_common_rate, 2)} (first step ${f(s.cpu_ratio_first_step, 2)})`,
      '',
    ]);
  }
  rows.push(...lowRateRows(r.low_rate));
  for (const m of [r.memory, r.memory_10k]) {
    if (m.skipped) continue;
    for (const [name, v] of Object.entries(m.servers)) {
      rows.push([
        `memory ${m.connections} idle`,
        name,
        v.skipped ? `skipped: ${v.skipped}` : `${f(v.kb_per_conn, 1)} kB/conn`,
        '',
        '',
        '',
      ]);
    }
    rows.push([
      `memory ${m.connections} idle`,
      'ratio',
      `ours/nchan ${f(m.ratio, 2)} (goal <= 1)`,
      '',
      '',
      '',
    ]);
  }
  rows.push(...redisRows(r.redis_mode));
  rows.push(...patternRows(r.patterns));
  const p = r.publisher;
  rows.push(['publisher', 'ours', `${f(p.publish_ns)} ns/call`, `${f(p.cpu_per_log_ns)} ns CPU/log`, '', '']);
  rows.push([
    'publisher',
    'pino',
    `${f(p.pino_ns)} ns/call`,
    `${f(p.pino_cpu_per_log_ns)} ns CPU/log`,
    '',
    '',
  ]);
  rows.push([
    'publisher',
    'ratio',
    `hot ${f(p.ratio_hot, 2)}, CPU ${f(p.ratio_hot_cpu, 2)} (goal <= 0.15)`,
    `total ${f(p.ratio_total, 2)} (goal <= 0.6)`,
    '',
    '',
  ]);
  const idem = r.idempotency;
  for (const store of ['memory', 'redis']) {
    const v = idem?.[store];
    if (!v || v.skipped || idem.error) {
      rows.push([`publish ${store}`, 'Idempotency-Key', v?.skipped ?? idem?.error ?? '-', '', '', '']);
      continue;
    }
    rows.push([
      `publish ${store}`,
      'Idempotency-Key',
      `${f(v.entries_per_s)} → ${f(v.keyed_entries_per_s)} entries/s`,
      `cost ${f(v.cost_pct, 1)}% (goal <= 10)`,
      '',
      '',
    ]);
  }
  const py = r.python_publisher;
  if (py.skipped || py.error) {
    rows.push(['python publisher', 'ours', py.skipped ?? py.error, '', '', '']);
  } else {
    rows.push([
      'python publisher',
      'ours',
      `${f(py.publish_cpu_ns)} ns CPU/call`,
      `${f(py.publish_wall_ns)} ns wall/call`,
      `${f(py.sustained_logs_per_s)} logs/s sustained (goal >= 50000)`,
      '',
    ]);
    rows.push([
      'python publisher',
      'QueueHandler',
      `${f(py.queue_handler_cpu_ns)} ns CPU/call`,
      `${f(py.queue_handler_wall_ns)} ns wall/call`,
      '',
      '',
    ]);
    rows.push([
      'python publisher',
      'ratio',
      `CPU ${f(py.ratio_cpu, 2)} (goal <= 1.0)`,
      `wall ${f(py.ratio_wall, 2)}`,
      '',
      '',
    ]);
  }
  const o = r.otlp;
  if (o.error) rows.push(['otlp /v1/logs', 'ours', o.error, '', '', '']);
  else {
    const us = o.cpu_us_per_record;
    rows.push(['otlp /v1/logs', 'ndjson', `${f(us.ndjson, 1)} µs CPU/record`, '', '', '']);
    rows.push([
      'otlp /v1/logs',
      'protobuf',
      `${f(us.protobuf, 1)} µs CPU/record`,
      `ratio ${f(o.ratio_protobuf, 2)} (goal <= 2)`,
      '',
      '',
    ]);
    rows.push([
      'otlp /v1/logs',
      'json',
      `${f(us.json, 1)} µs CPU/record`,
      `ratio ${f(o.ratio_json, 2)} (goal <= 2)`,
      '',
      '',
    ]);
  }
  const c = r.client;
  rows.push(['client', 'ours', `${f(c.ours_mb_s, 1)} MB/s of CPU time`, '', '', '']);
  rows.push(['client', 'baseline', `${f(c.baseline_mb_s, 1)} MB/s read from a Response`, '', '', '']);
  rows.push(['client', 'bare loop', `${f(c.bare_baseline_mb_s, 1)} MB/s over arrays`, '', '', '']);
  rows.push([
    'client',
    'ratio',
    `${f(c.ratio, 2)} median, ${f(c.best_ratio, 2)} best (goal >= 0.9)`,
    `bare loop ${f(c.bare_ratio, 2)} median, ${f(c.bare_best_ratio, 2)} best`,
    '',
    '',
  ]);
  const b = r.browser;
  if (!b.skipped && !b.error) {
    rows.push([
      'browser panel',
      'ours',
      `${b.logs_per_s} logs/s: ${b.delivered}/${b.published} shown`,
      `${b.long_tasks} long tasks (max ${b.max_long_task_ms} ms)`,
      `${b.fps} frames/s`,
      '',
    ]);
  } else {
    rows.push(['browser panel', 'ours', b.skipped ?? b.error, '', '', '']);
  }
  rows.push(...logViewRows(r.log_view));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  console.log('');
  for (const row of rows)
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
  console.log(`\n${r.machine.cpus} CPUs (${r.machine.cpu_model}), Node ${r.machine.node}, ${r.machine.date}`);
  console.log(
    `load before ${r.machine.load_before.join(' ')}, after ${r.machine.load_after.join(' ')}; ${r.machine.seconds} s`,
  );
  console.log('results: bench/results.json');
}

/** One row per view and load of the LogView bench, then the ratios ours / melloware. */
function logViewRows(result) {
  if (!result || result.skipped || result.error) {
    return [['log view', 'ours', result?.skipped ?? result?.error ?? 'not run', '', '', '']];
  }
  const rows = [];
  for (const [load, { views, ratios }] of Object.entries(result)) {
    const label = `log view ${load} kept`;
    for (const [name, v] of Object.entries(views)) {
      if (v.error) {
        rows.push([label, name, v.error, '', '', '']);
        continue;
      }
      rows.push([
        label,
        name,
        `${v.live.delivered}/${v.live.published} shown, ${v.live.fps} frames/s`,
        `${v.live.long_tasks} long tasks (max ${v.live.max_long_task_ms} ms)`,
        v.scroll ? `scrolling ${v.scroll.fps} frames/s` : '',
        `heap ${v.heap_mb} MB`,
      ]);
    }
    if (ratios) {
      rows.push([
        label,
        'ratio',
        `frames ours/melloware ${ratios.fps_live} (goal >= 1)`,
        `long-task ms ${ratios.long_task_ms}`,
        `scrolling ${ratios.fps_scroll}`,
        `view heap ${ratios.view_heap_mb} (goal < 1)`,
      ]);
    }
  }
  return rows;
}
