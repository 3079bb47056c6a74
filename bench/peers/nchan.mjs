// Starts nginx + nchan for the fan-out bench: its own config from nchan.conf.template, one worker,
// in the foreground, with pid, logs and temp files in a temporary directory, on a free loopback port.
// Installs nginx and Debian's libnginx-mod-nchan with apt-get when they are missing and we may.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childPids, freePort, sleep } from '../fanout/proc.mjs';

const MODULE = '/usr/lib/nginx/modules/ngx_nchan_module.so';
const TEMPLATE = new URL('nchan.conf.template', import.meta.url);

function findNginx() {
  for (const path of ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx'])
    if (existsSync(path)) return path;
  return undefined;
}

/** Path of nginx when it and the nchan module are there (installing them if possible), else a reason. */
export function ensureNchan(log = console.error) {
  let nginx = findNginx();
  if (nginx && existsSync(MODULE)) return { nginx };
  if (process.getuid?.() !== 0)
    return {
      reason: 'nginx + nchan missing and not root: apt-get install -y nginx-light libnginx-mod-nchan',
    };
  log('installing nginx + libnginx-mod-nchan with apt-get (once)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env, timeout: 180_000 });
    for (const server of ['nginx-light', 'nginx']) {
      try {
        execFileSync('apt-get', ['install', '-y', '-qq', server, 'libnginx-mod-nchan'], {
          stdio: 'ignore',
          env,
          timeout: 300_000,
        });
        break;
      } catch {
        // nginx-light is gone from some releases; the full package carries the same core.
      }
    }
  } catch (error) {
    return { reason: `apt-get failed: ${error.message.split('\n')[0]}` };
  }
  nginx = findNginx();
  if (!nginx || !existsSync(MODULE))
    return { reason: 'apt-get could not install nginx + libnginx-mod-nchan' };
  return { nginx };
}

/** Starts nginx + nchan; resolves { pid (the worker, which does the work), url, stop }. */
export async function startNchan(nginx) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-nchan-'));
  const port = await freePort();
  const config = readFileSync(TEMPLATE, 'utf8')
    .replaceAll('{{DIR}}', dir)
    .replaceAll('{{PORT}}', String(port))
    .replaceAll('{{MODULE}}', MODULE)
    .replaceAll('{{USER}}', process.getuid?.() === 0 ? 'user root;' : '');
  writeFileSync(join(dir, 'nginx.conf'), config);
  const master = spawn(
    'bash',
    [
      '-c',
      'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"',
      nginx,
      '-p',
      dir,
      '-c',
      join(dir, 'nginx.conf'),
      '-e',
      join(dir, 'error.log'),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  master.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const stop = async () => {
    if (master.exitCode === null && master.signalCode === null) {
      master.kill('SIGTERM');
      for (let i = 0; i < 50 && master.exitCode === null && master.signalCode === null; i++) await sleep(100);
      if (master.exitCode === null && master.signalCode === null) master.kill('SIGKILL');
    }
    for (const pid of childPids(master.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready when the worker exists and the port answers. The master's first child is not always the worker
  // (a short-lived process comes and goes at start), so the worker is the child that says it is one.
  for (let i = 0; i < 100; i++) {
    if (master.exitCode !== null) break;
    if (await answers(port)) {
      const worker = childPids(master.pid).find(isWorker);
      if (worker) return { pid: worker, url: `http://127.0.0.1:${port}`, stop };
    }
    await sleep(50);
  }
  const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
  await stop();
  throw new Error(`nginx + nchan did not start: ${stderr || log}`.trim());
}

function isWorker(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('nginx: worker process');
  } catch {
    return false;
  }
}

async function answers(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/pub?id=probe`, { method: 'GET' });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}
