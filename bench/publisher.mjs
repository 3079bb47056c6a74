// Cost of @logs-sse/publisher next to pino, in one run.
//
//   hot:   nanoseconds per publish() / logger.info() on the caller's thread, yielding every 1,000 calls;
//          also as process CPU over the same blocks of calls (less disturbed by a busy machine, though it
//          counts any helper thread at work meanwhile, such as sonic-boom's writes for pino)
//   total: process CPU (user + system, every thread) per log, until everything is handed off: for the
//          publisher, sent to a real gateway (in a child process, so its CPU is not counted); for pino,
//          written to /dev/null through pino.destination({ sync: false }) (sonic-boom).
//
// Needs the packages built (pnpm build).
// Usage: node bench/publisher.mjs [logsPerRound] [rounds] [callsPerBlock] [pauseMs]
// By default each block of 1,000 calls only yields to the event loop (setImmediate): a burst, which the
// one request in flight cannot keep up with, so nearly the whole round queues. `200 1` instead pauses
// 1 ms after every 200 calls, a pace at which the sender keeps up.
// With BENCH_PUBLISHER_BASELINE=<path to another build's index.js>, that build runs too, in the same
// rounds, and its figures are printed next to ours: how a change is measured against the code before it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const LOGS = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const BLOCK = Number(process.argv[4] ?? 1_000);
const PAUSE_MS = Number(process.argv[5] ?? 0);
const TIME_LIMIT_MS = 120_000;

const root = new URL('../', import.meta.url);
const publisherDist = new URL('packages/publisher/dist/index.js', root);
const gatewayDist = new URL('packages/gateway/dist/index.js', root);
for (const file of [publisherDist, gatewayDist]) {
  if (!existsSync(fileURLToPath(file))) {
    console.error(`missing ${fileURLToPath(file)}: run pnpm build first`);
    process.exit(1);
  }
}
const { createLogsPublisher } = await import(publisherDist.href);
const baselinePath = process.env.BENCH_PUBLISHER_BASELINE;
const baseline = baselinePath
  ? (await import(new URL(baselinePath, `file://${process.cwd()}/`).href)).createLogsPublisher
  : undefined;
const pino = createRequire(new URL('packages/publisher/package.json', root))('pino');

const yieldToLoop =
  PAUSE_MS > 0
    ? () => new Promise((resolve) => setTimeout(resolve, PAUSE_MS))
    : () => new Promise((resolve) => setImmediate(resolve));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const cpuNs = (usage) => (usage.user + usage.system) * 1000;

/**
 * Runs `call` LOGS times; returns ns per call and CPU ns per call (calls only), and CPU ns per log
 * until `settle` resolves.
 */
async function measure(call, settle) {
  const cpuStart = process.cpuUsage();
  let hot = 0n;
  let hotCpu = 0;
  for (let done = 0; done < LOGS; done += BLOCK) {
    const blockCpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let i = done; i < done + BLOCK; i++) call(i);
    hot += process.hrtime.bigint() - start;
    hotCpu += cpuNs(process.cpuUsage(blockCpu));
    await yieldToLoop();
  }
  await settle();
  const cpu = cpuNs(process.cpuUsage(cpuStart));
  return { hotNs: Number(hot) / LOGS, hotCpuNs: hotCpu / LOGS, cpuNs: cpu / LOGS };
}

async function benchPublisher(url, create = createLogsPublisher) {
  // A queue as large as the round, so that no entry is dropped: a dropped entry would cost less.
  const pub = create({
    url,
    service: 'bench',
    maxQueueSize: LOGS,
    maxQueueBytes: 512 * 1024 * 1024,
  });
  const result = await measure(
    (i) =>
      pub.publish({
        workspace_id: 'ws-1',
        resource_id: 'run-42',
        user: 'u-7',
        attempt: i % 5,
        i,
        level: 'info',
        message: 'request handled',
      }),
    () => pub.flush(),
  );
  const stats = pub.stats();
  await pub.close();
  if (stats.sent !== LOGS)
    throw new Error(`publisher sent ${stats.sent} of ${LOGS}: ${JSON.stringify(stats)}`);
  return result;
}

async function benchPino() {
  const destination = pino.destination({ dest: '/dev/null', sync: false });
  await new Promise((resolve) => destination.once('ready', resolve));
  const logger = pino(destination);
  const result = await measure(
    (i) =>
      logger.info(
        { workspace_id: 'ws-1', resource_id: 'run-42', user: 'u-7', attempt: i % 5, i },
        'request handled',
      ),
    () => new Promise((resolve) => destination.flush(resolve)),
  );
  destination.end();
  return result;
}

function startGateway() {
  const code = `
    import { createGateway } from ${JSON.stringify(gatewayDist.href)};
    const gateway = createGateway({ logger: false });
    const { url } = await gateway.listen({ port: 0, host: '127.0.0.1' });
    process.stdout.write(url + '\\n');
    process.stdin.on('end', () => gateway.close().then(() => process.exit(0)));
    process.stdin.resume();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (status) => reject(new Error(`gateway exited with ${status}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve({ url: out.trim(), stop: () => child.stdin.end() });
    });
  });
}

const gateway = await startGateway();
const started = Date.now();
const rows = { publisher: [], baseline: [], pino: [] };
try {
  // Warm-up round of each, not recorded: lets both reach optimised code.
  await benchPublisher(gateway.url);
  if (baseline) await benchPublisher(gateway.url, baseline);
  await benchPino();
  for (let round = 0; round < ROUNDS && Date.now() - started < TIME_LIMIT_MS; round++) {
    // Which build goes first alternates, so that neither always inherits the other's garbage.
    if (baseline && round % 2 === 1) rows.baseline.push(await benchPublisher(gateway.url, baseline));
    rows.publisher.push(await benchPublisher(gateway.url));
    if (baseline && round % 2 === 0) rows.baseline.push(await benchPublisher(gateway.url, baseline));
    rows.pino.push(await benchPino());
  }
} finally {
  gateway.stop();
}

const pick = (list, key) => median(list.map((r) => r[key]));
const result = {
  publish_ns: Math.round(pick(rows.publisher, 'hotNs')),
  pino_ns: Math.round(pick(rows.pino, 'hotNs')),
  publish_cpu_ns: Math.round(pick(rows.publisher, 'hotCpuNs')),
  pino_call_cpu_ns: Math.round(pick(rows.pino, 'hotCpuNs')),
  cpu_per_log_ns: Math.round(pick(rows.publisher, 'cpuNs')),
  pino_cpu_per_log_ns: Math.round(pick(rows.pino, 'cpuNs')),
};
result.ratio_hot = Number((result.publish_ns / result.pino_ns).toFixed(2));
result.ratio_hot_cpu = Number((result.publish_cpu_ns / result.pino_call_cpu_ns).toFixed(2));
result.ratio_total = Number((result.cpu_per_log_ns / result.pino_cpu_per_log_ns).toFixed(2));

console.log(
  `\n${LOGS} logs per round in blocks of ${BLOCK}${PAUSE_MS > 0 ? `, ${PAUSE_MS} ms apart` : ''}, ${rows.publisher.length} rounds, median; Node ${process.version}\n`,
);
console.table({
  'caller thread, ns/call': {
    publisher: result.publish_ns,
    pino: result.pino_ns,
    ratio: result.ratio_hot,
    goal: '<= 0.15',
  },
  'caller thread, CPU ns/call': {
    publisher: result.publish_cpu_ns,
    pino: result.pino_call_cpu_ns,
    ratio: result.ratio_hot_cpu,
    goal: '<= 0.15',
  },
  'total CPU, ns/log': {
    publisher: result.cpu_per_log_ns,
    pino: result.pino_cpu_per_log_ns,
    ratio: result.ratio_total,
    goal: '<= 0.6',
  },
});
if (baseline) {
  const base = (key) => Math.round(pick(rows.baseline, key));
  const of = (ours, theirs) => Number((ours / theirs).toFixed(2));
  console.log(`baseline: ${baselinePath}`);
  console.table({
    'caller thread, ns/call': { baseline: base('hotNs'), 'ratio to pino': of(base('hotNs'), result.pino_ns) },
    'caller thread, CPU ns/call': {
      baseline: base('hotCpuNs'),
      'ratio to pino': of(base('hotCpuNs'), result.pino_call_cpu_ns),
    },
    'total CPU, ns/log': {
      baseline: base('cpuNs'),
      'ratio to pino': of(base('cpuNs'), result.pino_cpu_per_log_ns),
    },
  });
}
console.log(
  JSON.stringify({
    publish_ns: result.publish_ns,
    pino_ns: result.pino_ns,
    ratio_hot: result.ratio_hot,
    publish_cpu_ns: result.publish_cpu_ns,
    pino_call_cpu_ns: result.pino_call_cpu_ns,
    ratio_hot_cpu: result.ratio_hot_cpu,
    cpu_per_log_ns: result.cpu_per_log_ns,
    pino_cpu_per_log_ns: result.pino_cpu_per_log_ns,
    ratio_total: result.ratio_total,
  }),
);
