// Client throughput: bytes of a recorded stream in, log entries out of `onLogs`, against a bare
// eventsource-parser + JSON.parse loop over the same bytes in the same 16 kB chunks.
//
// Both sides read the bytes the way a browser app must, from a fetch `Response` body through its reader,
// and the bare loop is also run over the chunks as plain arrays (no stream), the figure of earlier runs.
// Each round starts from a full garbage collection, so that no side pays for the garbage of the one
// before; the order of the sides turns every round. The primary figure is CPU time (process.cpuUsage),
// which other processes on a busy machine disturb less than the clock does; wall time is printed too.
//
// Run after `pnpm build`: node bench/client-throughput.mjs [rounds]
// BENCH_CLIENT_DIST=<another build's dist/index.js> adds that build as a fourth side ("before"), to
// compare two versions of the client in one run.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

const LOGS = 100_000;
const CHUNK = 16 * 1024;
const WARMUP_ROUNDS = 3;
const ROUNDS = Number(process.argv[2] ?? 11);
const TIME_BUDGET_MS = 90_000;
const CHANNEL = 'logs:etl:ws-7f3a:run-20261124-0042';
const GOAL = 0.9;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const clientDir = new URL('../packages/client/', import.meta.url);
const { createLogsClient } = await import(new URL('dist/index.js', clientDir).href);
const before = process.env.BENCH_CLIENT_DIST
  ? (await import(pathToFileURL(process.env.BENCH_CLIENT_DIST).href)).createLogsClient
  : undefined;
// The ESM build of eventsource-parser (a dev dependency of the client), the common SSE parser.
const require = createRequire(new URL('package.json', clientDir));
const parserEntry = require.resolve('eventsource-parser').replace(/index\.cjs$/, 'index.js');
const { createParser } = await import(pathToFileURL(parserEntry).href);

/** The stream a gateway would send: retry, hello, then one `event: log` frame per entry. */
function record() {
  const levels = ['info', 'info', 'info', 'debug', 'warn', 'error'];
  const start = Date.UTC(2026, 10, 24, 11, 0, 0);
  let text =
    'retry: 2000\n\nevent: hello\ndata: {"connectionId":"c1","heartbeatSeconds":15,"channels":[]}\n\n';
  for (let i = 0; i < LOGS; i++) {
    const ms = start + Math.floor(i / 10);
    const id = `${ms}-${i % 10}`;
    const entry = {
      id,
      type: 'log',
      channel: CHANNEL,
      timestamp: new Date(ms).toISOString(),
      level: levels[i % levels.length],
      message: `batch ${i}: ${(i * 37) % 5000} rows in ${i % 97} ms`,
    };
    text += `id: ${id}\nevent: log\ndata: ${JSON.stringify(entry)}\n\n`;
  }
  const bytes = new TextEncoder().encode(text);
  const chunks = [];
  for (let at = 0; at < bytes.length; at += CHUNK) chunks.push(bytes.subarray(at, at + CHUNK));
  return { bytes: bytes.length, chunks };
}

/** A response whose body hands out the chunks one per read, and stays open, as a live stream does. */
function respond(chunks) {
  let index = 0;
  return new Response(
    new ReadableStream({
      pull(controller) {
        if (index < chunks.length) controller.enqueue(chunks[index++]);
      },
    }),
    { status: 200, headers: { 'content-type': 'text/event-stream' } },
  );
}

/** Our path: fetch Response body -> TextDecoder -> parser -> dispatch -> ring buffer -> onLogs. */
function runClient(chunks, create = createLogsClient) {
  return new Promise((resolve, reject) => {
    const client = create({
      url: 'http://bench.invalid',
      fetch: async () => respond(chunks),
      debounceMs: 0,
      onError: reject,
    });
    let received = 0;
    client.subscribe(CHANNEL, {
      onLogs(batch) {
        received += batch.length;
        if (received < LOGS) return;
        client.close();
        resolve();
      },
    });
  });
}

/** What an app with no client library must at least do: read the body, parse the frames and the JSON. */
async function runStreamBaseline(chunks) {
  let received = 0;
  let sink = 0;
  const parser = createParser({
    onEvent(event) {
      if (event.event !== 'log') return;
      sink += JSON.parse(event.data).message.length;
      received++;
    },
  });
  const reader = respond(chunks).body.getReader();
  const decoder = new TextDecoder();
  while (received < LOGS) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  await reader.cancel();
  if (received !== LOGS || sink === 0) throw new Error(`stream baseline saw ${received} of ${LOGS} logs`);
}

/** The bare loop over the chunks as arrays, no stream: the baseline of earlier runs. */
function runBareBaseline(chunks) {
  let received = 0;
  let sink = 0;
  const decoder = new TextDecoder();
  const parser = createParser({
    onEvent(event) {
      if (event.event !== 'log') return;
      sink += JSON.parse(event.data).message.length;
      received++;
    },
  });
  for (const chunk of chunks) parser.feed(decoder.decode(chunk, { stream: true }));
  if (received !== LOGS || sink === 0) throw new Error(`bare baseline saw ${received} of ${LOGS} logs`);
}

const SIDES = { ours: runClient, stream: runStreamBaseline, bare: runBareBaseline };
if (before) SIDES.before = (chunks) => runClient(chunks, before);

/** One run of one side, from a collected heap: its CPU time and wall time in ms. */
async function measure(run, chunks) {
  gc();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run(chunks);
  const wall = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  return { cpu: (user + system) / 1000, wall };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const { bytes, chunks } = record();
const mb = bytes / 1e6;
console.log(
  `stream: ${LOGS} logs, ${mb.toFixed(1)} MB (${Math.round(bytes / LOGS)} bytes a frame), ${chunks.length} chunks of 16 kB`,
);
const names = Object.keys(SIDES);
for (let i = 0; i < WARMUP_ROUNDS; i++) for (const name of names) await measure(SIDES[name], chunks);
const deadline = performance.now() + TIME_BUDGET_MS;
const cpu = Object.fromEntries(names.map((name) => [name, []]));
const wall = Object.fromEntries(names.map((name) => [name, []]));
for (let round = 0; round < ROUNDS && performance.now() < deadline; round++) {
  // Each side goes first in turn, so that a noisy neighbour or a warmer cache favours none.
  for (let k = 0; k < names.length; k++) {
    const name = names[(round + k) % names.length];
    const m = await measure(SIDES[name], chunks);
    cpu[name].push(m.cpu);
    wall[name].push(m.wall);
  }
}

const rounds = cpu.ours.length;
/** Per round, baseline time over ours: above 1 means the client was faster. */
const perRound = (baseline, times) => times.ours.map((ms, i) => times[baseline][i] / ms);
const fixed = (value, digits) => Number(value.toFixed(digits));
const ratios = {
  stream_cpu: perRound('stream', cpu),
  bare_cpu: perRound('bare', cpu),
  stream_wall: perRound('stream', wall),
  bare_wall: perRound('bare', wall),
};
const mbs = (ms) => fixed(mb / (ms / 1000), 1);
const result = {
  rounds,
  ours_cpu_ms: fixed(median(cpu.ours), 1),
  stream_baseline_cpu_ms: fixed(median(cpu.stream), 1),
  bare_baseline_cpu_ms: fixed(median(cpu.bare), 1),
  ours_mb_s: mbs(median(cpu.ours)),
  ours_logs_s: Math.round(LOGS / (median(cpu.ours) / 1000)),
  baseline_mb_s: mbs(median(cpu.stream)),
  bare_baseline_mb_s: mbs(median(cpu.bare)),
  // The headline: median over rounds of the per-round CPU ratio against the stream baseline.
  ratio: fixed(median(ratios.stream_cpu), 3),
  best_ratio: fixed(Math.max(...ratios.stream_cpu), 3),
  bare_ratio: fixed(median(ratios.bare_cpu), 3),
  bare_best_ratio: fixed(Math.max(...ratios.bare_cpu), 3),
  wall_ratio: fixed(median(ratios.stream_wall), 3),
  bare_wall_ratio: fixed(median(ratios.bare_wall), 3),
  ...(before && {
    before_cpu_ms: fixed(median(cpu.before), 1),
    // Above 1: this build needs less CPU than the other.
    before_ratio: fixed(median(perRound('before', cpu)), 3),
  }),
  loadavg: (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
};
const row = (label, ms) => `${label} ${mbs(ms)} MB/s, ${Math.round(LOGS / (ms / 1000))} logs/s`;
console.log(`CPU time, median of ${rounds} rounds:`);
console.log(`  ${row('ours (client to onLogs):        ', median(cpu.ours))}`);
console.log(`  ${row('baseline, read from a Response: ', median(cpu.stream))}`);
console.log(`  ${row('baseline, bare loop over arrays:', median(cpu.bare))}`);
console.log(
  `ratio to the Response baseline: ${result.ratio} median, ${result.best_ratio} best round, wall ${result.wall_ratio} (goal >= ${GOAL})`,
);
console.log(
  `ratio to the bare loop:         ${result.bare_ratio} median, ${result.bare_best_ratio} best round, wall ${result.bare_wall_ratio}`,
);
if (before) {
  console.log(`  ${row('the other build (before):       ', median(cpu.before))}`);
  console.log(`CPU of the other build over this one's: ${result.before_ratio} median`);
}
console.log(`load average ${result.loadavg}`);
console.log(JSON.stringify(result));
