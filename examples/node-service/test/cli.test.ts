import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createLogsClient } from '@logs-sse/client';
import type { Gateway } from '@logs-sse/gateway';
import { startGateway } from '@logs-sse/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

const cwd = fileURLToPath(new URL('..', import.meta.url));
let gateway: Gateway;
let url: string;

beforeAll(async () => {
  ({ gateway, url } = await startGateway());
});

afterAll(async () => {
  await gateway.close();
});

/** Runs `src/main.ts` from its sources, as `pnpm --filter @logs-sse/example-node-service etl` does. */
function service(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(
    process.execPath,
    ['--conditions=@logs-sse/source', '--import', 'tsx', 'src/main.ts', ...args],
    {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    output += text;
  });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    output += text;
  });
  return { child, output: () => output };
}

it('runs the given number of runs and exits by itself', async () => {
  const { child, output } = service([
    'workflow',
    '--url',
    url,
    '--workspace',
    'cli-1',
    '--runs',
    '1',
    '--pace',
    '0',
  ]);
  const [code] = await once(child, 'exit');
  expect(output()).toContain('workflow: stopped');
  expect(code).toBe(0);
  const response = await fetch(`${url}/api/logs/history?channel=logs:workflow:cli-1:wf-llm-serving&tail=1`);
  const { logs } = (await response.json()) as { logs: Array<{ type: string }> };
  expect(logs.map((entry) => entry.type)).toEqual(['done']);
});

it('closes its publisher and exits on SIGTERM', async () => {
  const client = createLogsClient({ url });
  const firstLog = new Promise<void>((resolve) => {
    client.subscribe('logs:etl:cli-2:nightly-import', { onLog: () => resolve() });
  });
  await new Promise<void>((resolve) => {
    const stop = client.onConnectionStatus((status) => {
      if (status !== 'open') return;
      stop();
      resolve();
    });
  });
  const { child, output } = service(['etl', '--url', url, '--workspace', 'cli-2', '--pace', '50']);
  await firstLog;
  client.close();
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  expect(code).toBe(0);
  expect(output()).toContain('etl: stopped');
});

it('refuses unknown services and bad numbers with its usage', async () => {
  for (const args of [['billing'], ['etl', '--runs', '0'], ['etl', '--pace', 'fast'], ['etl', '--bogus']]) {
    const { child, output } = service(args);
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(output()).toContain('Usage: main.ts <etl|workflow|functions|checkout>');
  }
});
