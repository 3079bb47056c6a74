import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createPinoTransport, pinoLineToEntry } from '../src/pino';
import { history, type RunningGateway, startGateway } from './helpers/gateway';

const base = { url: 'http://127.0.0.1:1', service: 'svc' };
const line = {
  level: 40,
  time: 1_700_000_000_000,
  pid: 123,
  hostname: 'box',
  msg: 'disk almost full',
  workspace_id: 'ws',
  resource_id: 'r',
  free: 3,
};

describe('pinoLineToEntry', () => {
  it('maps level, msg and time, and drops pid and hostname', () => {
    expect(pinoLineToEntry({ ...line }, base)).toEqual({
      level: 'warn',
      message: 'disk almost full',
      timestamp: 1_700_000_000_000,
      workspace_id: 'ws',
      resource_id: 'r',
      free: 3,
    });
  });

  it('keeps pid and hostname when asked, and fills in workspace and resource from options', () => {
    const { workspace_id, resource_id, ...bare } = line;
    const entry = pinoLineToEntry(bare, {
      ...base,
      includeProcessFields: true,
      workspace_id: 'w2',
      resource_id: 'r2',
    });
    expect(entry).toMatchObject({ pid: 123, hostname: 'box', workspace_id: 'w2', resource_id: 'r2' });
  });

  it('lets a channel function pick the channel, and copes with odd lines', () => {
    const entry = pinoLineToEntry({ level: 35, msg: 42 }, { ...base, channel: () => 'logs:a:b:c' });
    expect(entry).toEqual({ level: 'info', message: '42', channel: 'logs:a:b:c' });
    expect(pinoLineToEntry({ level: 'nonsense' }, base)).toEqual({ level: 'info', message: '' });
  });
});

let running: RunningGateway | undefined;
afterEach(async () => {
  await running?.gateway.close();
  running = undefined;
});

describe('pino logger writing through the transport to the real gateway', () => {
  it('in-process: every line arrives with its level, message and time', async () => {
    running = await startGateway();
    const stream = createPinoTransport({
      url: running.url,
      service: 'svc',
      workspace_id: 'ws',
      resource_id: 'r',
      heartbeatIntervalMs: 0,
    });
    const logger = pino({ level: 'trace' }, stream);
    logger.info('started');
    logger.child({ resource_id: 'other' }).warn({ attempt: 2 }, 'retrying');
    logger.error(new Error('boom'), 'failed');
    logger.trace({ deep: { a: [1, 2] } }, 'details');
    stream.end();
    await once(stream, 'close');

    const main = await history(running.url, 'logs:svc:ws:r');
    expect(main.map((e) => [e.level, e.message])).toEqual([
      ['info', 'started'],
      ['error', 'failed'],
      ['trace', 'details'],
    ]);
    expect(main[1]).toMatchObject({ err: { type: 'Error', message: 'boom' } });
    expect(main[2]).toMatchObject({ deep: { a: [1, 2] } });
    expect(main[0]).not.toHaveProperty('pid');
    expect(Date.parse(main[0]!.timestamp as string)).toBeGreaterThan(Date.now() - 60_000);
    const other = await history(running.url, 'logs:svc:ws:other');
    expect(other).toMatchObject([{ level: 'warn', message: 'retrying', attempt: 2 }]);
  });

  it("in pino's worker thread, as target '@logs-sse/publisher/pino' (the built package)", async () => {
    const built = fileURLToPath(new URL('../dist/pino.cjs', import.meta.url));
    expect(existsSync(built), 'build the package first: npx tsup (pnpm test does)').toBe(true);
    running = await startGateway();
    const fixture = fileURLToPath(new URL('./fixtures/pinoWorker.mjs', import.meta.url));
    const child = spawn(process.execPath, [fixture, running.url], { stdio: 'inherit' });
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    const kept = await history(running.url, 'logs:svc:ws:worker');
    expect(kept.map((e) => e.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
