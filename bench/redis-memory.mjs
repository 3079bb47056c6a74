// Redis memory per million log entries, as the gateway's Redis store keeps them.
//
// Starts a private redis-server (free port, temporary directory, nothing on disk), appends typical
// entries through RedisStore in batches of 100, and reads INFO memory (used_memory) before and after.
// The figure includes everything the store keeps: channel streams, the shared feed (its last 10,000
// entries), the channel index and counters.
//
// Usage: node --conditions=@logs-sse/source --import tsx bench/redis-memory.mjs [entries] [perChannel] [messageChars]
// Defaults: 200000 entries, 1000 per channel (the default cap, so nothing is trimmed), 120-character messages.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisStore } from '../packages/gateway/src/store/redis/redisStore.ts';
import { validateEntry } from '../packages/protocol/src/index.ts';

const { Redis } = createRequire(new URL('../packages/gateway/package.json', import.meta.url))('ioredis');

const ENTRIES = Number(process.argv[2] ?? 200_000);
const PER_CHANNEL = Number(process.argv[3] ?? 1000);
const MESSAGE_CHARS = Number(process.argv[4] ?? 120);
const BATCH = 100;

const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const dir = mkdtempSync(join(tmpdir(), 'logs-sse-bench-redis-'));
const server = spawn(
  'redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (chunk) => {
    out += chunk;
    if (out.includes('Ready to accept connections')) resolve();
  });
  server.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
});
server.stdout.resume();

const url = `redis://127.0.0.1:${port}`;
const admin = new Redis(url);
const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await admin.info('memory'))[1]);

try {
  const store = new RedisStore({ url, historyPerChannel: PER_CHANNEL });
  await store.ready();
  const before = await usedMemory();
  const channels = Math.ceil(ENTRIES / PER_CHANNEL);
  const filler = 'x'.repeat(Math.max(0, MESSAGE_CHARS - 40));
  let bodyBytes = 0;
  const started = Date.now();
  for (let n = 0; n < ENTRIES; n += BATCH) {
    const batch = [];
    for (let i = n; i < Math.min(ENTRIES, n + BATCH); i++) {
      const result = validateEntry({
        service: 'billing',
        workspace_id: 'ws-1042',
        resource_id: `run-${i % channels}`,
        level: i % 10 === 0 ? 'warn' : 'info',
        message: `step ${i} finished in ${i % 997} ms ${filler}`,
        pid: 4242,
        hostname: 'worker-7',
      });
      if (!result.ok) throw new Error(result.message);
      bodyBytes += JSON.stringify(result.entry.body).length;
      batch.push(result.entry);
    }
    await store.append(batch);
  }
  const seconds = (Date.now() - started) / 1000;
  const after = await usedMemory();
  await store.close();
  const perEntry = (after - before) / ENTRIES;
  const result = {
    entries: ENTRIES,
    channels,
    perChannel: PER_CHANNEL,
    averageBodyBytes: Math.round(bodyBytes / ENTRIES),
    usedMemoryBefore: before,
    usedMemoryAfter: after,
    bytesPerEntry: Math.round(perEntry),
    mebibytesPerMillionEntries: Math.round((perEntry * 1e6) / 2 ** 20),
    appendsPerSecond: Math.round(ENTRIES / seconds),
    redis: (await admin.info('server')).match(/redis_version:(\S+)/)[1],
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  admin.disconnect();
  server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
