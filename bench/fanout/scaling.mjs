// Figures for planning 100,000 connections (docs/scaling.md), not part of `pnpm bench`:
//
// 1. idle: one gateway, 10,000 idle subscribers on 100 channels. RSS and open file descriptors before
//    and after, then the gateway's CPU over an idle window with heartbeats every second against
//    heartbeats every hour: the difference is the cost of one heartbeat.
// 2. redis: a private redis-server, a gateway taking publishes, a gateway with 100 subscribers, and
//    0 or 2 more gateways with none; one fixed rate per run. `INFO commandstats` before and after gives
//    Redis commands per entry and per publish request, and how they grow with each gateway reading the
//    feed; redis-server's CPU per entry comes from /proc.
//
//   node bench/fanout/scaling.mjs [idle|redis] [--connections 10000] [--idle-ms 10000]   (after pnpm build)
import { fileURLToPath } from 'node:url';
import { runGenerator } from './fanout.mjs';
import { loadAverage, sleep } from './proc.mjs';
import { callsBetween, commandCalls, startRedis } from './redis.mjs';
import { availability, PATHS, startServer } from './servers.mjs';

const argv = process.argv.slice(2);
const value = (flag, fallback) => (argv.includes(flag) ? Number(argv[argv.indexOf(flag) + 1]) : fallback);
const CONNECTIONS = value('--connections', 10_000);
const IDLE_MS = value('--idle-ms', 10_000);
const say = (text) => console.log(text);

/** 10,000 idle subscribers on one gateway with heartbeats every `heartbeatSeconds`. */
async function idleRun(heartbeatSeconds) {
  const gateway = await startServer('ours', {
    env: { LOGS_SSE_HEARTBEAT_SECONDS: String(heartbeatSeconds) },
  });
  try {
    const lines = await runGenerator(
      {
        url: gateway.url,
        serverPid: gateway.pid,
        paths: PATHS.ours,
        subscribers: CONNECTIONS,
        channels: 100,
        perSub: 1,
        sampleEvery: 10,
        p99LimitMs: 250,
        mode: 'memory',
        settleMs: 3000,
        idleMs: IDLE_MS,
      },
      180_000,
    );
    const memory = lines.find((l) => l.type === 'memory');
    if (!memory) throw new Error(lines.find((l) => l.type === 'error')?.message ?? 'no result');
    return { heartbeat_seconds: heartbeatSeconds, ...memory };
  } finally {
    await gateway.stop();
  }
}

async function idle() {
  const runs = [];
  // Alternating, twice: heartbeats every hour (none in the window), then every second.
  for (const heartbeatSeconds of [3600, 1, 1, 3600]) {
    say(`idle: ${CONNECTIONS} connections, heartbeat every ${heartbeatSeconds} s, ${IDLE_MS} ms window`);
    const run = await idleRun(heartbeatSeconds);
    say(`  ${JSON.stringify(run)}`);
    runs.push(run);
  }
  const mean = (hb, key) => {
    const picked = runs.filter((r) => r.heartbeat_seconds === hb).map((r) => r[key]);
    return picked.reduce((a, b) => a + b, 0) / picked.length;
  };
  const beats = (CONNECTIONS * IDLE_MS) / 1000;
  const perBeatNs = ((mean(1, 'idle_server_cpu_ms') - mean(3600, 'idle_server_cpu_ms')) * 1e6) / beats;
  return {
    connections: CONNECTIONS,
    kb_per_conn: Number(mean(3600, 'kb_per_conn').toFixed(2)),
    rss_after_mb: Number((mean(3600, 'rss_after_kb') / 1024).toFixed(1)),
    fds_per_conn: Number(((mean(3600, 'fds_after') - mean(3600, 'fds_before')) / CONNECTIONS).toFixed(3)),
    idle_cpu_pct_without_heartbeats: Number(((mean(3600, 'idle_server_cpu_ms') / IDLE_MS) * 100).toFixed(2)),
    heartbeat_cpu_ns_each: Math.round(perBeatNs),
    // At the default 15 s, for this many connections: the share of one core spent on heartbeats.
    heartbeat_core_pct_at_15s: Number(((perBeatNs * CONNECTIONS) / 15 / 1e7).toFixed(3)),
    runs,
  };
}

/** One Redis run: `extra` idle gateways besides the publishing and the subscribed one, one fixed rate. */
async function redisRun(rate, extra) {
  const redis = await startRedis();
  const stops = [];
  try {
    const start = async () => {
      const gateway = await startServer('ours', { serverArgs: ['--redis', redis.url] });
      stops.push(gateway.stop);
      return gateway;
    };
    const publisher = await start();
    const subscriber = await start();
    for (let i = 0; i < extra; i++) await start();
    await sleep(500);
    const before = await commandCalls(redis.port);
    const lines = await runGenerator(
      {
        url: subscriber.url,
        publishUrl: publisher.url,
        serverPids: [subscriber.pid, publisher.pid, redis.pid],
        paths: PATHS.ours,
        subscribers: 100,
        channels: 1,
        perSub: 1,
        sampleEvery: 10,
        p99LimitMs: 250,
        rates: [rate],
        fixedRates: true,
        refineSteps: 0,
        stepMs: 5000,
        drainMs: 2000,
      },
      60_000,
    );
    const commands = callsBetween(before, await commandCalls(redis.port));
    const done = lines.find((l) => l.type === 'done');
    const step = lines.find((l) => l.type === 'step');
    if (!done || !step) throw new Error(lines.find((l) => l.type === 'error')?.message ?? 'no result');
    const total = Object.values(commands).reduce((a, b) => a + b, 0);
    const [, , redisNsPerEvent] = step.server_cpu_ns_per_event_each;
    return {
      rate,
      gateways: 2 + extra,
      full: step.full,
      entries: done.accepted_total,
      publish_requests: done.publish_requests,
      entries_per_request: Number((done.accepted_total / done.publish_requests).toFixed(1)),
      commands_per_entry: Number((total / done.accepted_total).toFixed(3)),
      commands_per_request: Number((total / done.publish_requests).toFixed(2)),
      xread_per_entry: Number(((commands.xread ?? 0) / done.accepted_total).toFixed(3)),
      // Each delivered event is one entry reaching one of the 100 subscribers.
      redis_cpu_ns_per_entry: Math.round((redisNsPerEvent * step.delivered) / step.published),
      redis_cpu_pct: Math.round((redisNsPerEvent * step.delivered) / 1e4 / ((step.published / rate) * 1000)),
      commands,
    };
  } finally {
    for (const stop of stops) await stop();
    await redis.stop();
  }
}

async function redisCommands() {
  const runs = [];
  for (const [rate, extra] of [
    [200, 0],
    [2000, 0],
    [2000, 2],
    [200, 2],
  ]) {
    say(`redis: ${rate} logs/s, ${2 + extra} gateways`);
    const run = await redisRun(rate, extra);
    say(`  ${JSON.stringify(run)}`);
    runs.push(run);
  }
  return runs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const unavailable = availability('ours').reason;
  if (unavailable) {
    console.error(unavailable);
    process.exit(1);
  }
  const parts = argv.includes('redis') ? ['redis'] : argv.includes('idle') ? ['idle'] : ['idle', 'redis'];
  const result = { date: new Date().toISOString(), load_before: loadAverage() };
  if (parts.includes('idle')) result.idle = await idle();
  if (parts.includes('redis')) result.redis = await redisCommands();
  result.load_after = loadAverage();
  const { runs, ...idleSummary } = result.idle ?? {};
  console.log(JSON.stringify({ ...result, idle: result.idle ? idleSummary : undefined }, null, 2));
}
