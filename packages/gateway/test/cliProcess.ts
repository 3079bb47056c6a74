import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll } from 'vitest';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const children: ChildProcess[] = [];

/**
 * Sets up a test file that starts the real command line: it is tested as users run it, from dist. `pnpm
 * test` builds first; rebuilding here would wipe dist under other suites that run the built packages.
 */
export function useCli(): void {
  beforeAll(() => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm build\` (pnpm test builds first)`);
  });
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });
}

export interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  /** The exit code, once the process has exited and its output has been read to the end. */
  exited: Promise<number | null>;
}

/** Starts `logs-sse-gateway args` with `env` added to this process's environment. */
export function run(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: 'pipe' });
  children.push(child);
  const result: Run = {
    child,
    stdout: '',
    stderr: '',
    // `close`, not `exit`: it comes after the last output, so assertions on stderr see all of it.
    exited: new Promise((resolve) => child.once('close', (code) => resolve(code))),
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    result.stdout += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    result.stderr += chunk;
  });
  return result;
}

/** Waits for the `http://HOST:PORT` line the CLI prints once it listens. */
export async function urlOf(started: Run): Promise<string> {
  await until(started, 'stdout', (text) => /^http:\/\/[^\s]+:\d+$/m.test(text));
  return /^(http:\/\/[^\s]+:\d+)$/m.exec(started.stdout)![1]!;
}

/** Resolves once the output on `stream` satisfies `ready`; rejects if the process ends first. */
export async function until(started: Run, stream: 'stdout' | 'stderr', ready: (text: string) => boolean) {
  const exited = started.exited.then(() => true);
  while (!ready(started[stream])) {
    const ended = await Promise.race([
      exited,
      new Promise<false>((resolve) => started.child[stream]!.once('data', () => resolve(false))),
    ]);
    if (ended && !ready(started[stream])) {
      throw new Error(
        `CLI exited (${started.child.exitCode}) before the expected ${stream}: ${started.stderr}`,
      );
    }
  }
}

/** The JSON log lines the CLI wrote to stderr so far. */
export function logLines(started: Run): Record<string, unknown>[] {
  return started.stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}
