// Redis mode against the in-memory gateway, in the same run: two gateway processes on one private
// redis-server, logs published on the first, 1,000 subscribers (one channel) on the second; then one
// in-memory gateway with the same subscribers and publisher. CPU is counted for every server process
// (both gateways and redis-server together in Redis mode) and divided by the events delivered. Redis
// `INFO commandstats` is read before and after each Redis run, to count commands per published entry.
//
//   node bench/fanout/redis.mjs [--quick] [--rates 200,800,3200] [--rounds 5]     (after `pnpm build`)
// --rates replaces the ladder with fixed rates, every step run; --rounds sets the rounds of each mode.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bestLine, ladder, runGenerator } from './fanout.mjs';
import { freePort, loadAverage, median, sleep } from './proc.mjs';
import { availability, PATHS, startServer } from './servers.mjs';

export const REDIS_SHAPE = { subscribers: 1000, channels: 1, perSub: 1 };
/** Lower is better: CPU per delivered event, Redis mode over in-memory, at the highest common rate. */
export const REDIS_GOAL = 1.25;

/**
 * Fixed rates, every step run in both modes: the CPU comparison needs the same rates on both sides, and
 * on a busy shared machine a ladder can stop at its first step when p99 passes 250 ms.
 */
export function redisSettings(quick) {
  return quick
    ? { rates: [400, 1600], fixedRates: true, refineSteps: 0, stepMs: 1000, drainMs: 1000, repeats: 1 }
    : { rates: ladder(100, 4, 4), fixedRates: true, refineSteps: 0, stepMs: 2500, drainMs: 2000, repeats: 3 };
}

/** Whether redis-server can be started here; a reason when it cannot. */
function redisAvailable() {
  return new Promise((resolve) => {
    const probe = spawn('redis-server', ['--version'], { stdio: 'ignore' });
    probe.once('error', () => resolve({ reason: 'redis-server not found on PATH' }));
    probe.once('exit', (code) =>
      resolve(code === 0 ? {} : { reason: `redis-server --version exited ${code}` }),
    );
  });
}

/** A private redis-server on a free loopback port, nothing on disk; resolves { pid, port, url, stop }. */
export async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'logs-sse-bench-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Also when the bench dies between here and stop(): no redis-server is left behind.
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const stop = async () => {
    process.removeListener('exit', kill);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      for (let i = 0; i < 50 && child.exitCode === null && child.signalCode === null; i++) await sleep(100);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('redis-server not ready in 10 s')), 10_000);
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          child.stdout.resume();
          resolve();
        }
      });
      child.stderr.resume();
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid, port, url: `redis://127.0.0.1:${port}`, stop };
}

/** One Redis command over a fresh connection (inline form), its bulk reply as text. */
export function redisCommand(port, command) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis ${command}: no reply in 5 s`));
    }, 5000);
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('utf8');
      const header = /^\$(\d+)\r\n/.exec(text);
      if (text.startsWith('-')) {
        clearTimeout(timer);
        socket.destroy();
        reject(new Error(`redis ${command}: ${text.trim()}`));
      } else if (header && Buffer.byteLength(text) >= header[0].length + Number(header[1])) {
        clearTimeout(timer);
        socket.destroy();
        resolve(text.slice(header[0].length, header[0].length + Number(header[1])));
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** `INFO commandstats` as { command: calls }. */
export async function commandCalls(port) {
  const info = await redisCommand(port, 'INFO commandstats');
  const calls = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[match[1]] = Number(match[2]);
  return calls;
}

/** Calls of each command in `after` not in `before`, leaving out the INFO that took the counts. */
export function callsBetween(before, after) {
  const diff = {};
  for (const [command, calls] of Object.entries(after)) {
    const n = calls - (before[command] ?? 0) - (command === 'info' ? 1 : 0);
    if (n > 0) diff[command] = n;
  }
  return diff;
}

/** Started servers of one mode: the URL to subscribe on, the URL to publish on, the pids measured. */
async function startMode(mode, redis) {
  if (mode === 'memory') {
    const gateway = await startServer('ours');
    return { url: gateway.url, publishUrl: gateway.url, pids: [gateway.pid], stops: [gateway.stop] };
  }
  const stops = [];
  try {
    const publisher = await startServer('ours', { serverArgs: ['--redis', redis.url] });
    stops.push(publisher.stop);
    const subscriber = await startServer('ours', { serverArgs: ['--redis', redis.url] });
    stops.push(subscriber.stop);
    // Order of pids: the gateway subscribers are on, the gateway publishes go to, redis-server.
    return {
      url: subscriber.url,
      publishUrl: publisher.url,
      pids: [subscriber.pid, publisher.pid, redis.pid],
      stops,
    };
  } catch (error) {
    for (const stop of stops) await stop();
    throw error;
  }
}

/** One mode, one round: start, drive, stop (always). */
export async function runMode(mode, opts) {
  let redis;
  let servers;
  try {
    if (mode === 'redis') redis = await startRedis();
    servers = await startMode(mode, redis);
    const before = redis ? await commandCalls(redis.port) : null;
    const lines = await runGenerator(
      {
        ...REDIS_SHAPE,
        url: servers.url,
        publishUrl: servers.publishUrl,
        serverPids: servers.pids,
        paths: PATHS.ours,
        sampleEvery: 10,
        p99LimitMs: 250,
        rates: opts.rates,
        fixedRates: opts.fixedRates,
        refineSteps: opts.refineSteps,
        stepMs: opts.stepMs,
        drainMs: opts.drainMs,
        onLine: opts.log ? (line) => opts.log(mode, line) : undefined,
      },
      240_000,
    );
    const steps = lines.filter((l) => l.type === 'step');
    const done = lines.find((l) => l.type === 'done');
    const error = lines.find((l) => l.type === 'error')?.message;
    const best = steps
      .filter((s) => s.ok)
      .sort((a, b) => a.rate - b.rate)
      .at(-1);
    const result = { best: best ?? null, steps, error };
    if (redis && done) {
      const commands = callsBetween(before, await commandCalls(redis.port));
      const total = Object.values(commands).reduce((sum, n) => sum + n, 0);
      result.redis = {
        commands,
        entries: done.accepted_total,
        publish_requests: done.publish_requests,
        commands_per_entry: Number((total / done.accepted_total).toFixed(3)),
        commands_per_request: Number((total / done.publish_requests).toFixed(2)),
        entries_per_request: Number((done.accepted_total / done.publish_requests).toFixed(1)),
      };
    }
    return result;
  } finally {
    for (const stop of servers?.stops ?? []) await stop();
    await redis?.stop();
  }
}

/**
 * CPU per delivered event of both modes at the highest rate both delivered in full, in one round; the
 * p99 limit is left out here, since CPU per event is what is compared.
 */
function atCommonRate(memory, redis) {
  const okRates = (r) => new Set((r?.steps ?? []).filter((s) => s.full).map((s) => s.rate));
  const inRedis = okRates(redis);
  const rate = [...okRates(memory)]
    .filter((r) => inRedis.has(r))
    .sort((a, b) => a - b)
    .at(-1);
  if (rate === undefined) return null;
  const step = (r) => r.steps.find((s) => s.full && s.rate === rate);
  return {
    rate,
    memory: step(memory).server_cpu_ns_per_event,
    redis: step(redis).server_cpu_ns_per_event,
    redis_each: step(redis).server_cpu_ns_per_event_each,
  };
}

/**
 * For each rate that both modes delivered in full in every round: the median CPU per delivered event of
 * each mode, the Redis figure split by process, and their ratio. The goal holds at every rate, not only
 * at the highest, since most deployments publish a few logs a second.
 */
function perRate(rounds) {
  const full = (r) => new Map((r?.steps ?? []).filter((s) => s.full).map((s) => [s.rate, s]));
  const memory = rounds.memory.map(full);
  const redis = rounds.redis.map(full);
  const rates = [...(memory[0]?.keys() ?? [])].filter((rate) =>
    [...memory, ...redis].every((steps) => steps.has(rate)),
  );
  return rates
    .sort((a, b) => a - b)
    .map((rate) => {
      const cpu = (list) => median(list.map((steps) => steps.get(rate).server_cpu_ns_per_event));
      const each = redis.map((steps) => steps.get(rate).server_cpu_ns_per_event_each).filter(Boolean);
      const memoryCpu = cpu(memory);
      const redisCpu = cpu(redis);
      return {
        rate,
        memory_cpu_ns_per_event: memoryCpu,
        redis_cpu_ns_per_event: redisCpu,
        redis_cpu_ns_per_event_each: each.length ? [0, 1, 2].map((i) => median(each.map((e) => e[i]))) : null,
        ratio: Number((redisCpu / memoryCpu).toFixed(2)),
      };
    });
}

/** Rounds of both modes, alternating which goes first; medians, the ratio and Redis command counts. */
export async function runRedisBench(opts, say = () => {}) {
  const available = availability('ours').reason ?? (await redisAvailable()).reason;
  if (available) return { skipped: available };
  const rounds = { memory: [], redis: [] };
  const errors = [];
  for (let round = 0; round < opts.repeats; round++) {
    const order = round % 2 === 0 ? ['memory', 'redis'] : ['redis', 'memory'];
    for (const mode of order) {
      say(`redis mode: ${mode} round ${round + 1}/${opts.repeats}`);
      const result = await runMode(mode, opts).catch((error) => ({ error: error.message, steps: [] }));
      if (result.error) {
        errors.push(`${mode}: ${result.error}`);
        say(`  ${result.error}`);
      }
      say(bestLine(result.best));
      rounds[mode].push(result);
    }
  }
  const common = rounds.memory.map((m, i) => atCommonRate(m, rounds.redis[i])).filter(Boolean);
  const pick = (mode, key) => median(rounds[mode].map((r) => r.best?.[key] ?? Number.NaN));
  const cpuMemory = median(common.map((c) => c.memory));
  const cpuRedis = median(common.map((c) => c.redis));
  const eachRound = common.map((c) => c.redis_each).filter(Boolean);
  const redisRuns = rounds.redis.map((r) => r.redis).filter(Boolean);
  const perMode = (mode) => ({
    logs_per_s: pick(mode, 'rate'),
    events_per_s: pick(mode, 'events_per_s'),
    p99_ms: pick(mode, 'p99_ms'),
    cpu_ns_per_event: pick(mode, 'server_cpu_ns_per_event'),
    generator_cpu_pct: pick(mode, 'generator_cpu_pct'),
    rounds: rounds[mode].map((r) => r.best?.rate ?? 0),
  });
  return {
    subscribers: REDIS_SHAPE.subscribers,
    channels: REDIS_SHAPE.channels,
    memory: perMode('memory'),
    redis: perMode('redis'),
    common_rate: median(common.map((c) => c.rate)),
    memory_cpu_ns_per_event_at_common_rate: cpuMemory,
    redis_cpu_ns_per_event_at_common_rate: cpuRedis,
    // The Redis figure split by process: subscribers' gateway, publishers' gateway, redis-server.
    redis_cpu_ns_per_event_each: eachRound.length
      ? [0, 1, 2].map((i) => median(eachRound.map((e) => e[i])))
      : null,
    cpu_ratio_at_common_rate: cpuMemory && cpuRedis ? Number((cpuRedis / cpuMemory).toFixed(2)) : null,
    per_rate: perRate(rounds),
    goal: REDIS_GOAL,
    redis_commands: redisRuns.at(-1) ?? null,
    generator_saturated: [...rounds.memory, ...rounds.redis].some(
      (r) => (r.best?.generator_cpu_pct ?? 0) >= 90,
    ),
    errors,
  };
}

/** Rows for the suite's table. */
export function redisRows(r) {
  const f = (v, digits = 0) =>
    v === null || v === undefined || Number.isNaN(v) ? '-' : Number(v).toFixed(digits);
  const label = `redis mode ${r.subscribers ?? REDIS_SHAPE.subscribers} subs / 1 ch`;
  if (r.skipped || r.error) return [[label, 'ours', r.skipped ?? r.error, '', '', '']];
  const row = (name, v, cpu, split) => [
    label,
    name,
    `${f(v.logs_per_s)} logs/s with p99 < 250 ms`,
    `p99 ${f(v.p99_ms)} ms`,
    `${f(cpu)} ns CPU/ev @${f(r.common_rate)}/s${split ? ` (${split.map((n) => f(n)).join(' + ')})` : ''}`,
    `gen ${f(v.generator_cpu_pct)}%`,
  ];
  const c = r.redis_commands;
  return [
    row('in-memory', r.memory, r.memory_cpu_ns_per_event_at_common_rate),
    // Split: the subscribers' gateway + the publishers' gateway + redis-server.
    row('2 gw + redis', r.redis, r.redis_cpu_ns_per_event_at_common_rate, r.redis_cpu_ns_per_event_each),
    [
      label,
      'ratio',
      `CPU/ev redis/memory ${f(r.cpu_ratio_at_common_rate, 2)} @${f(r.common_rate)}/s (goal <= ${r.goal})`,
      c ? `${f(c.commands_per_entry, 2)} redis cmds/entry` : '',
      c ? `${f(c.commands_per_request, 1)} cmds/request` : '',
      '',
    ],
    ...(r.per_rate ?? []).map((p) => [
      label,
      `@${p.rate}/s`,
      `CPU/ev redis/memory ${f(p.ratio, 2)}`,
      `${f(p.redis_cpu_ns_per_event)} ns (${(p.redis_cpu_ns_per_event_each ?? []).map((n) => f(n)).join(' + ')})`,
      `in-memory ${f(p.memory_cpu_ns_per_event)} ns`,
      '',
    ]),
  ];
}

// ---- standalone ----------------------------------------------------------------------------------------

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const opts = {
    ...redisSettings(argv.includes('--quick')),
    log: (mode, line) => console.log(mode, JSON.stringify(line)),
  };
  if (argv.includes('--rates')) {
    opts.rates = argv[argv.indexOf('--rates') + 1].split(',').map(Number);
    opts.fixedRates = true;
    opts.refineSteps = 0;
  }
  if (argv.includes('--rounds')) opts.repeats = Number(argv[argv.indexOf('--rounds') + 1]);
  console.log(`load average ${loadAverage().join(' ')}`);
  const result = await runRedisBench(opts, (text) => console.log(text));
  console.log(JSON.stringify(result, null, 2));
  for (const row of redisRows(result)) console.log(row.filter(Boolean).join('  '));
  console.log(`load average ${loadAverage().join(' ')}`);
}
