// Cost of the Python publisher next to the standard library's QueueHandler, and its sustained delivery,
// against the gateway's command line (built): see bench/python-publisher.py for what is measured.
//
// Needs `pnpm build` and python3 (the package is used from python/src, nothing is installed).
// Usage: node bench/python-publisher.mjs [logsPerRound] [rounds] [sustainedLogs]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const cli = `${root}packages/gateway/dist/cli.js`;
const script = fileURLToPath(new URL('python-publisher.py', import.meta.url));
const args = process.argv.slice(2);
const TIME_LIMIT_MS = 240_000;

if (spawnSync('python3', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.log(JSON.stringify({ skipped: 'python3 not found' }));
  process.exit(0);
}
if (!existsSync(cli)) {
  console.error(`missing ${cli}: run pnpm build first`);
  process.exit(1);
}

const gateway = spawn(process.execPath, [cli, '--port', '0'], {
  env: { ...process.env, LOGS_SSE_LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((resolve, reject) => {
  let out = '';
  gateway.once('exit', (code) => reject(new Error(`the gateway exited with ${code}`)));
  gateway.stdout.on('data', (chunk) => {
    out += chunk;
    const line = /^(http:\/\/\S+)$/m.exec(out);
    if (line) resolve(line[1]);
  });
});

let code = 1;
try {
  code = await new Promise((resolve) => {
    const bench = spawn('python3', [script, url, ...args], {
      env: { ...process.env, PYTHONPATH: `${root}python/src` },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const timer = setTimeout(() => bench.kill('SIGKILL'), TIME_LIMIT_MS);
    bench.on('exit', (status) => {
      clearTimeout(timer);
      resolve(status ?? 1);
    });
  });
} finally {
  gateway.kill('SIGTERM');
}
process.exitCode = code;
