// Runs the Python package's tests (python/tests, pytest) against the gateway built by `pnpm build`, in a
// virtualenv of their own under node_modules/.cache, with the package installed from python/ as users
// install it. The first run creates the virtualenv and installs pytest, structlog and setuptools; later
// runs only reinstall the package.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const cli = join(root, 'packages/gateway/dist/cli.js');
const venv = join(root, 'node_modules/.cache/logs-sse-python/venv');
const python = join(venv, 'bin/python');
// setuptools 77 reads the project's SPDX `license`; the one a venv may start with is older.
const TOOLS = ['pytest', 'structlog', 'setuptools>=77'];
const TOOLS_READY =
  'import pytest, structlog, setuptools; assert int(setuptools.__version__.split(".")[0]) >= 77';

interface Run {
  code: number | null;
  output: string;
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return new Promise<Run>((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? root,
      // pip would otherwise retry an index it cannot reach five times per package, with growing pauses.
      env: { PIP_RETRIES: '0', PIP_DISABLE_PIP_VERSION_CHECK: '1', ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', (error) => resolve({ code: null, output: `${output}${error.message}\n` }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function must(step: string, command: string, args: string[], hint = '') {
  const done = await run(command, args);
  if (done.code !== 0)
    throw new Error(`${step} failed (exit ${done.code})${hint}:\n${done.output.slice(-4000)}`);
}

async function prepare(): Promise<void> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm build\` (pnpm test builds first)`);
  if (!existsSync(python)) {
    await must(
      'creating the virtualenv',
      'python3',
      ['-m', 'venv', venv],
      '; the Python tests need python3 with its venv module (Debian: apt-get install python3-venv)',
    );
  }
  const tools = await run(python, ['-c', TOOLS_READY]);
  if (tools.code !== 0)
    await must('installing the test tools', python, ['-m', 'pip', 'install', '-q', ...TOOLS]);
  // Built with the setuptools installed above rather than in an isolated environment, which would look
  // the build backend up in the package index on every run.
  await must('installing python/', python, [
    '-m',
    'pip',
    'install',
    '-q',
    '--no-deps',
    '--no-build-isolation',
    '--force-reinstall',
    here,
  ]);
}

it('passes the Python package tests against the built gateway', async () => {
  await prepare();
  const tests = await run(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], {
    cwd: here,
    env: { LOGS_SSE_GATEWAY_CLI: cli, LOGS_SSE_NODE: process.execPath, PYTHONDONTWRITEBYTECODE: '1' },
  });
  // pytest's own summary ("84 passed in 12.6s") in the suite's output, failures in full when there are any.
  console.log(tests.code === 0 ? tests.output.trim().split('\n').at(-1) : tests.output);
  expect(tests.code).toBe(0);
});
