// What the Idempotency-Key record costs a publish, on the in-memory store and on Redis.
//
// Starts the gateway command (packages/gateway/dist/cli.js) in a child process, so that its CPU is its
// own, and POSTs batches of 100 NDJSON entries over 4 keep-alive connections: first without a key, then
// with a fresh key per batch (what the publisher sends), alternating for several rounds. Reports batches
// and entries per second (median of the rounds) and the cost of the key. With redis-server on the PATH,
// the same against a gateway on a private Redis (the record is written by the append script).
//
// Needs `pnpm build`. Usage: node bench/idempotency.mjs [batchesPerRound] [rounds]
// Prints a JSON line last, as the other scripts of bench/run.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BATCHES = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 5);
const BATCH = 100;
const CONCURRENCY = 4;
const cli = fileURLToPath(new URL('../packages/gateway/dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error(`missing ${cli}: run pnpm build first`);
  process.exit(1);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const say = (text) => process.stderr.write(`${text}\n`);

function freePort() {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** The gateway command on a free port; resolves with its URL and a stop function. */
function startGateway(args) {
  const child = spawn(process.execPath, [cli, '--port', '0', '--open', ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, LOGS_SSE_LOG_LEVEL: 'silent', LOGS_SSE_HISTORY_PER_CHANNEL: '1000' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const url = /^(http:\/\/\S+)$/m.exec(out)?.[1];
      if (url) resolve({ url, stop: () => new Promise((done) => child.once('exit', done).kill('SIGTERM')) });
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
  });
}

function startRedis() {
  if (spawnSync('redis-server', ['--version']).status !== 0) return undefined;
  return freePort().then(
    (port) =>
      new Promise((resolve, reject) => {
        const dir = mkdtempSync(join(tmpdir(), 'logs-sse-bench-idem-'));
        const server = spawn(
          'redis-server',
          ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
          { stdio: ['ignore', 'pipe', 'ignore'] },
        );
        let out = '';
        server.stdout.on('data', (chunk) => {
          out += chunk;
          if (out.includes('Ready to accept connections'))
            resolve({
              url: `redis://127.0.0.1:${port}`,
              stop: () =>
                new Promise((done) => {
                  server.once('exit', () => {
                    rmSync(dir, { recursive: true, force: true });
                    done();
                  });
                  server.kill('SIGKILL');
                }),
            });
        });
        server.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
      }),
  );
}

function body(round, batch) {
  const lines = [];
  for (let i = 0; i < BATCH; i++) {
    lines.push(
      JSON.stringify({
        channel: `logs:bench:ws:run-${batch % 50}`,
        level: 'info',
        message: `round ${round} batch ${batch} line ${i}: processed 128 rows in 12 ms`,
      }),
    );
  }
  return lines.join('\n');
}

/** POSTs BATCHES batches over CONCURRENCY keep-alive connections; resolves with batches per second. */
async function run(url, round, keyed) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const bodies = Array.from({ length: BATCHES }, (_, i) => body(round, i));
  let next = 0;
  const post = (payload) =>
    new Promise((resolve, reject) => {
      const headers = {
        'content-type': 'application/x-ndjson',
        'content-length': Buffer.byteLength(payload),
      };
      if (keyed) headers['idempotency-key'] = `"${randomUUID()}"`;
      const req = http.request(`${url}/api/logs/publish`, { method: 'POST', headers, agent }, (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 202 ? resolve() : reject(new Error(`status ${res.statusCode}`)),
        );
      });
      req.on('error', reject);
      req.end(payload);
    });
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) await post(bodies[next++]);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return BATCHES / seconds;
}

async function measure(label, args) {
  const gateway = await startGateway(args);
  try {
    // Warm up both paths before measuring.
    await run(gateway.url, -1, false);
    await run(gateway.url, -2, true);
    const plain = [];
    const keyed = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternating which goes first, so neither always runs on a warmer process.
      const order = round % 2 === 0 ? [false, true] : [true, false];
      for (const withKey of order) (withKey ? keyed : plain).push(await run(gateway.url, round, withKey));
    }
    const result = {
      batches_per_s: Math.round(median(plain)),
      keyed_batches_per_s: Math.round(median(keyed)),
      entries_per_s: Math.round(median(plain) * BATCH),
      keyed_entries_per_s: Math.round(median(keyed) * BATCH),
    };
    result.cost_pct = Number(((1 - result.keyed_batches_per_s / result.batches_per_s) * 100).toFixed(1));
    say(
      `${label}: ${result.batches_per_s} batches/s without a key, ${result.keyed_batches_per_s} with one (${result.cost_pct}% cost)`,
    );
    return result;
  } finally {
    await gateway.stop();
  }
}

const results = { batch: BATCH, batches_per_round: BATCHES, rounds: ROUNDS, concurrency: CONCURRENCY };
results.memory = await measure('memory store', []);
const redis = await startRedis();
if (redis) {
  try {
    results.redis = await measure('Redis store', ['--redis', redis.url]);
  } finally {
    await redis.stop();
  }
} else {
  results.redis = { skipped: 'redis-server is not on the PATH' };
}
console.log(JSON.stringify(results));
