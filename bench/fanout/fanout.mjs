// Fan-out and memory benchmarks: ours (the gateway CLI), nginx + nchan and better-sse, one server process
// each, driven by the same load generator (generator.mjs) in a child process of its own.
//
//   node bench/fanout/fanout.mjs [--quick] [--server ours|nchan|better-sse] [--scenario one|many|tenk|memory|memory10k]
//                                [--profile] [--rates 200,400,800]
//   node bench/fanout/fanout.mjs --scenario lowrate [--server ours] [--profile] [--flush-window-ms 25]
// --profile writes a --cpu-prof of our gateway to bench/profiles; --rates replaces the ladder (all steps run).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadAverage, sleep } from './proc.mjs';
import { availability, PATHS, SERVERS, startServer } from './servers.mjs';

const GENERATOR = fileURLToPath(new URL('generator.mjs', import.meta.url));
const PROFILE_DIR = fileURLToPath(new URL('../profiles/', import.meta.url));
const ULIMIT = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"';

/** The progress line of one round: its highest rate passed, or that none did. */
export function bestLine(best) {
  return best
    ? `  ${best.rate} logs/s, p99 ${best.p99_ms} ms, ${best.server_cpu_ns_per_event} ns CPU/event`
    : '  no rate passed';
}

/** Logs per second, step by step; each step runs until one fails to deliver in full within the p99 limit. */
export function ladder(start, factor, steps) {
  const rates = [];
  for (let rate = start, i = 0; i < steps; i++, rate *= factor) rates.push(Math.round(rate / 10) * 10);
  return rates;
}

export const SCENARIOS = {
  one: { subscribers: 1000, channels: 1, perSub: 1 },
  many: { subscribers: 1000, channels: 100, perSub: 5 },
  memory: { subscribers: 5000, channels: 100, perSub: 1 },
  // Ten times the subscribers of `one` on one process: per-connection costs (a write, a wake-up) dominate.
  // 3 s to settle: the gateway's work for 10,000 new streams is not left to the warm-up step.
  // Single-log POSTs, 16 in flight, as fast as each server accepts them for one step (no ladder): with
  // 10,000 deliveries per log, what counts is delivered events per second and CPU per event.
  tenk: {
    subscribers: 10000,
    channels: 1,
    perSub: 1,
    settleMs: 3000,
    single: true,
    inFlight: 16,
    saturate: true,
  },
  // The same idle connections, twice as many: what is paid once per process weighs half as much on each.
  memory10k: { subscribers: 10000, channels: 100, perSub: 1 },
  // Ours only (see patterns.mjs): one stream per channel, then the same with 10,000 patterns held that
  // never match, 100 per stream as `maxChannels` allows.
  exact: { subscribers: 100, channels: 100, perSub: 1 },
  patterns: { subscribers: 100, channels: 100, perSub: 1, idleStreams: 100, idlePerStream: 100 },
  // A steady trickle rather than a ladder: one log per POST, 16 in flight, at a fixed rate, for every
  // server alike; what counts is CPU per delivered event, latency and loss (see lowrate.mjs).
  lowrate: { subscribers: 1000, channels: 1, perSub: 1, single: true, inFlight: 16, fixedRate: 200 },
};

/** Settings of a full and a quick run. */
export function settings(quick) {
  const rates = { one: ladder(25, 2, 10), many: ladder(250, 2, 10) };
  // The low-rate scenario's one step; its drain is long enough that what is late is told from what is lost.
  const lowRate = { lowRateStepMs: quick ? 3000 : 8000, lowRateDrainMs: 5000 };
  return quick
    ? { rates, refineSteps: 0, stepMs: 1000, drainMs: 1000, repeats: 1, memoryConnections: 5000, ...lowRate }
    : { rates, refineSteps: 3, stepMs: 2500, drainMs: 2000, repeats: 3, memoryConnections: 5000, ...lowRate };
}

/** Runs the generator against a started server; resolves its JSON lines. */
export function runGenerator(config, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(
      'bash',
      ['-c', ULIMIT, process.execPath, GENERATOR, JSON.stringify({ ...config, hardLimitMs: timeoutMs })],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const lines = [];
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      let nl = out.indexOf('\n');
      while (nl !== -1) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        try {
          const parsed = JSON.parse(line);
          lines.push(parsed);
          config.onLine?.(parsed);
        } catch {}
        nl = out.indexOf('\n');
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 5000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(lines);
    });
  });
}

/**
 * One server, one scenario: start, drive, stop (always). Resolves the best step (the highest rate delivered
 * in full with p99 under the limit) and every step, or `{ skipped }` when the server cannot run here.
 */
export async function runOne(name, scenario, opts) {
  const avail = availability(name);
  if (avail.reason) return { skipped: avail.reason };
  const shape = SCENARIOS[scenario];
  const nodeArgs = opts.profile && name === 'ours' ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const env = name === 'ours' ? opts.gatewayEnv : undefined;
  const server = await startServer(name, { nginx: avail.nginx, nodeArgs, env });
  try {
    const base = {
      url: server.url,
      serverPid: server.pid,
      paths: PATHS[name],
      sampleEvery: 10,
      p99LimitMs: 250,
      onLine: opts.log ? (line) => opts.log(name, scenario, line) : undefined,
      ...shape,
      ...(opts.subscribers && { subscribers: opts.subscribers }),
    };
    if (scenario === 'memory' || scenario === 'memory10k') {
      const subscribers = scenario === 'memory' ? opts.memoryConnections : shape.subscribers;
      const lines = await runGenerator(
        { ...base, subscribers, mode: 'memory', settleMs: 1500 },
        Math.max(90_000, subscribers * 15),
      );
      const memory = lines.find((l) => l.type === 'memory');
      const error = lines.find((l) => l.type === 'error');
      return memory ?? { error: error?.message ?? 'no result' };
    }
    const lines = await runGenerator(
      {
        ...base,
        rates: shape.fixedRate ? [shape.fixedRate] : shape.saturate ? [5] : opts.rates[scenario],
        fixedRates: opts.fixedRates || shape.fixedRate !== undefined || shape.saturate,
        refineSteps: shape.fixedRate || shape.saturate ? 0 : opts.refineSteps,
        stepMs: shape.fixedRate ? opts.lowRateStepMs : shape.saturate ? 4000 : opts.stepMs,
        drainMs: shape.fixedRate || shape.saturate ? opts.lowRateDrainMs : opts.drainMs,
      },
      240_000,
    );
    const steps = lines.filter((l) => l.type === 'step');
    const best = steps
      .filter((s) => s.ok)
      .sort((a, b) => a.rate - b.rate)
      .at(-1);
    const error = lines.find((l) => l.type === 'error');
    return {
      best: best ?? null,
      steps,
      error: error?.message,
      ceiling: !shape.saturate && steps.every((s) => s.ok),
    };
  } finally {
    await server.stop();
  }
}

// ---- standalone ----------------------------------------------------------------------------------------

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const value = (flag) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const quick = argv.includes('--quick');
  const opts = {
    ...settings(quick),
    profile: argv.includes('--profile'),
    gatewayEnv: value('--flush-window-ms') && { LOGS_SSE_FLUSH_WINDOW_MS: value('--flush-window-ms') },
    log: (n, s, line) => console.log(n, s, JSON.stringify(line)),
  };
  if (value('--rates')) {
    const fixed = value('--rates').split(',').map(Number);
    opts.rates = { one: fixed, many: fixed };
    opts.refineSteps = 0;
    opts.fixedRates = true;
  }
  const servers = value('--server') ? [value('--server')] : SERVERS;
  const scenarios = value('--scenario') ? [value('--scenario')] : ['one', 'many', 'memory'];
  console.log(`load average ${loadAverage().join(' ')}`);
  for (const scenario of scenarios) {
    for (const name of servers) {
      const result = await runOne(name, scenario, opts);
      const { steps, ...rest } = result;
      console.log(name, scenario, 'RESULT', JSON.stringify(rest));
      await sleep(300);
    }
  }
}
