import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Gateway } from '@logs-sse/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishRange, startGateway } from './gatewayHelpers';
import { CHANNEL_A } from './helpers';

let gateway: Gateway;
let url: string;

beforeAll(async () => {
  ({ gateway, url } = await startGateway({ heartbeatSeconds: 0.2 }));
  await publishRange(url, CHANNEL_A, 1, 1);
});

afterAll(async () => {
  await gateway.close();
});

describe('close()', () => {
  it('leaves no timer or socket behind: a Node process that closes its client exits by itself', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/subscribeAndClose.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--conditions=@logs-sse/source', '--import', 'tsx', fixture, url, CHANNEL_A],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: fileURLToPath(new URL('../../..', import.meta.url)), // where `tsx` is installed
      },
    );
    let output = '';
    child.stdout.on('data', (data) => {
      output += data;
    });
    child.stderr.on('data', (data) => {
      output += data;
    });
    // If close() left anything running, the child would never exit and this would hit the test timeout.
    const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    const [code, signal] = await once(child, 'exit');
    clearTimeout(killer);
    expect({ code, signal, output }).toEqual({
      code: 0,
      signal: null,
      output: `received ${CHANNEL_A}#1; status closed\n`,
    });
  });
});
