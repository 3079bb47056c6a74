import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LoopbackServer } from './helpers/loopbackServer';

const fixture = fileURLToPath(new URL('./fixtures/child.ts', import.meta.url));

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runChild(url: string, mode: string, onReady?: (kill: () => void) => void): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@logs-sse/source', '--import', 'tsx', fixture, url, mode],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (onReady && stdout.includes('ready\n')) onReady(() => child.kill('SIGTERM'));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

let server: LoopbackServer;
afterEach(async () => {
  await server.close();
});

describe('process lifetime', () => {
  it('a process that created a publisher and closed it exits by itself, having sent its entries', async () => {
    server = await LoopbackServer.start();
    const exit = await runChild(server.url, 'close');
    expect(exit).toMatchObject({ code: 0, signal: null, stderr: '' });
    expect(JSON.parse(exit.stdout)).toMatchObject({ generated: 3, sent: 3, queueSize: 0 });
    expect(server.entries.map((e) => e.message)).toEqual(['close 0', 'close 1', 'close 2']);
  });

  it('also exits when the gateway is down, within the close deadline', async () => {
    server = await LoopbackServer.start();
    const url = server.url;
    await server.close();
    server = await LoopbackServer.start();
    const exit = await runChild(url, 'close');
    expect(exit.code).toBe(0);
    expect(JSON.parse(exit.stdout)).toMatchObject({ generated: 3, sent: 0, droppedBy: { closed: 3 } });
  });

  it('neither timers nor idle connections of an unclosed publisher keep the process alive', async () => {
    server = await LoopbackServer.start();
    const exit = await runChild(server.url, 'noclose');
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(JSON.parse(exit.stdout)).toMatchObject({ sent: 3 });
    expect(server.connections).toBe(1);
  });

  it('handleExit flushes on beforeExit', async () => {
    server = await LoopbackServer.start();
    const exit = await runChild(server.url, 'beforeExit');
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(server.entries.map((e) => e.message)).toEqual(['beforeExit 0', 'beforeExit 1', 'beforeExit 2']);
  });

  it('handleExit flushes on SIGTERM, then lets the signal end the process', async () => {
    server = await LoopbackServer.start();
    let killed = false;
    const exit = await runChild(server.url, 'sigterm', (kill) => {
      if (killed) return;
      killed = true;
      kill();
    });
    expect(exit).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(server.entries.map((e) => e.message)).toEqual(['sigterm 0', 'sigterm 1', 'sigterm 2']);
  });
});
