#!/usr/bin/env node
// Run before `pnpm test`: the suite needs two programs from Debian's packages besides Node.js, a
// `redis-server` (the Redis tests start private ones) and Chromium (the browser tests drive
// /usr/bin/chromium; no tool may download a browser of its own). Installs them with apt-get when they are
// missing and this runs as root; otherwise says what to install and stops.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
const missing = [];
if (!onPath('redis-server')) missing.push('redis-server');
if (!existsSync(CHROMIUM)) missing.push('chromium');
// The OTLP test builds requests with the official Python classes, installed into a venv of its own.
if (spawnSync('python3', ['-m', 'venv', '--help'], { stdio: 'ignore' }).status !== 0)
  missing.push('python3-venv');
if (missing.length > 0) install(missing);

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function install(packages) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = !root && onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (!onPath('apt-get') || !(root || sudo)) {
    console.error(
      `The tests need ${packages.join(' and ')}. Install ${packages.length > 1 ? 'them' : 'it'} ` +
        `(on Debian or Ubuntu: apt-get install -y ${packages.join(' ')}) and run the tests again.`,
    );
    process.exit(1);
  }
  const run = (args) =>
    execFileSync(sudo ? 'sudo' : args[0], sudo ? args : args.slice(1), {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  console.log(`Installing ${packages.join(' and ')} for the tests (apt-get)...`);
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', ...packages]);
}
