// The three servers of the fan-out bench, started the same way: a child process (or nginx's worker),
// a URL, the pid whose CPU and memory are measured, and stop(). `paths` tell the load generator how to
// subscribe and publish to each.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureNchan, startNchan } from '../peers/nchan.mjs';
import { sleep } from './proc.mjs';

const root = new URL('../../', import.meta.url);
// BENCH_GATEWAY_CLI points at another build of the gateway CLI, to compare a change before and after.
const GATEWAY_CLI =
  process.env.BENCH_GATEWAY_CLI ?? fileURLToPath(new URL('packages/gateway/dist/cli.js', root));
const BETTER_SSE = fileURLToPath(new URL('bench/peers/better-sse-server.mjs', root));
/** Raise the open-files limit to the hard limit, then run the command: 5,000 sockets need it. */
const ULIMIT = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"';

export const SERVERS = ['ours', 'nchan', 'better-sse'];

/** How the load generator talks to each server. */
export const PATHS = {
  ours: { subscribe: '/api/logs/stream?channels=', publish: '/api/logs/publish', batch: 'logs' },
  nchan: { subscribe: '/sub?channels=', publish: '/pub?id=', batch: 'none' },
  'better-sse': { subscribe: '/sse?channels=', publish: '/publish', batch: 'array' },
};

/** Whether a server can run here; a reason when it cannot. */
export function availability(name) {
  if (name === 'ours' && !existsSync(GATEWAY_CLI))
    return { reason: `missing ${GATEWAY_CLI}: run pnpm build first` };
  if (name === 'nchan') return ensureNchan();
  return {};
}

/**
 * Starts `name`; resolves { name, pid, url, stop }. `nodeArgs` go to a Node server (e.g. --cpu-prof),
 * `serverArgs` to the script after its own (e.g. the gateway's `--redis <url>`), `env` to its environment.
 */
export async function startServer(name, { nginx, nodeArgs = [], serverArgs = [], env = {} } = {}) {
  if (name === 'nchan') return { name, ...(await startNchan(nginx)) };
  const script = name === 'ours' ? GATEWAY_CLI : BETTER_SSE;
  const args = name === 'ours' ? ['--port', '0', '--host', '127.0.0.1', ...serverArgs] : serverArgs;
  // BENCH_NODE_ARGS: Node flags for every gateway started, such as V8 flags NODE_OPTIONS does not take.
  const extra = name === 'ours' ? (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean) : [];
  const child = spawn('bash', ['-c', ULIMIT, process.execPath, ...extra, ...nodeArgs, script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOGS_SSE_LOG_LEVEL: 'warn', ...env },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    // Graceful first, so that --cpu-prof can write its profile; then forced.
    for (let i = 0; i < 60 && child.exitCode === null && child.signalCode === null; i++) await sleep(100);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`${name} did not print its URL in 15 s: ${stderr}`)),
      15_000,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${stderr}`));
    });
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /http:\/\/[^\s]+/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
  }).catch(async (error) => {
    await stop();
    throw error;
  });
  return { name, pid: child.pid, url, stop, stderr: () => stderr };
}
