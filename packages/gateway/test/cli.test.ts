import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Run, run, until, urlOf, useCli } from './cliProcess';
import { call, log, openStream, publish } from './helpers';
import { startRedis } from './redisServer';

useCli();

/** Polls `/ready` (bounded): readiness follows the store's connection, which has no event to await here. */
async function untilReady(url: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if ((await call(`${url}/ready`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${url} did not become ready`);
}

const YOUNG_GENERATION_PROBE = fileURLToPath(new URL('fixtures/youngGenerationProbe.cjs', import.meta.url));

/** Has the probe keep a burst of long-lived objects in the CLI's process; resolves the young generation's size. */
async function youngGenerationAfterBurst(started: Run): Promise<{ before: number; after: number }> {
  await urlOf(started);
  started.child.kill('SIGUSR2');
  await until(started, 'stderr', (text) => text.includes('young generation {'));
  return JSON.parse(/young generation (\{.*\})/.exec(started.stderr)![1]!);
}

describe('logs-sse-gateway CLI', () => {
  it('starts on a free port, prints its URL alone on a line, serves, and exits on SIGTERM', async () => {
    const started = run(['--port', '0']);
    const url = await urlOf(started);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(started.stdout).toBe(`${url}\n`);
    const stream = await openStream(url, 'channels=logs:svc:ws:a');
    expect((await publish(url, log('a', 'via cli'))).status).toBe(202);
    await stream.untilEvents('log', 1);

    started.child.kill('SIGTERM');
    await stream.untilEnd();
    expect(stream.retry).toBe(250);
    expect(await started.exited).toBe(0);
  });

  it('reads settings from environment variables and a config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logs-sse-cli-'));
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        historyPerChannel: 2,
        auth: { publishers: [{ token: 'publisher-token-1', services: ['svc'] }] },
      }),
    );
    const started = run([], {
      LOGS_SSE_PORT: '0',
      LOGS_SSE_CONFIG: config,
      LOGS_SSE_HEARTBEAT_SECONDS: '7',
      LOGS_SSE_ADMIN_TOKEN: 'admin-token-00001',
    });
    const url = await urlOf(started);
    expect((await publish(url, log('a', 'x'))).status).toBe(401);
    expect(
      (await publish(url, { logs: ['1', '2', '3'].map((m) => log('a', m)) }, { token: 'publisher-token-1' }))
        .status,
    ).toBe(202);
    const stats = await call(`${url}/admin/logs/stats`, {
      headers: { authorization: 'Bearer admin-token-00001' },
    });
    expect(stats.json.history.entries).toBe(2);
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  });

  it('shares history and live entries between two gateways started with --redis', async () => {
    const redis = await startRedis();
    try {
      const env = { LOGS_SSE_REDIS_PREFIX: `cli-${process.pid}` };
      const a = run(['--port', '0', '--redis', redis.url], env);
      const b = run(['--port', '0', '--redis', redis.url], env);
      const [urlA, urlB] = await Promise.all([urlOf(a), urlOf(b)]);
      // The URL is printed once the gateway listens; /ready turns 200 once Redis answers.
      await Promise.all([untilReady(urlA), untilReady(urlB)]);
      const stream = await openStream(urlB, 'channels=logs:svc:ws:*');
      expect((await publish(urlA, log('a', 'published on A'))).status).toBe(202);
      await stream.untilEvents('log', 1);
      expect(stream.data('log').map((e) => e.message)).toEqual(['published on A']);
      const history = await call(`${urlB}/api/logs/history?channel=logs:svc:ws:a`);
      expect(history.json.logs.map((e: { message: string }) => e.message)).toEqual(['published on A']);
      const stats = await call(`${urlA}/admin/logs/stats`);
      expect(stats.json.redis).toMatchObject({ connected: true });
      expect((await call(`${urlA}/metrics`)).text).toMatch(/^logs_sse_redis_connected 1$/m);
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      expect(await a.exited).toBe(0);
      expect(await b.exited).toBe(0);
      stream.close();
    } finally {
      await redis.dispose();
    }
  });

  it('limits each service to LOGS_SSE_PUBLISH_RATE_LIMIT and refuses a malformed value', async () => {
    // Burst 2, then one token every 1000 s: the third entry leaves a debt no test outlives.
    const started = run(['--port', '0'], { LOGS_SSE_PUBLISH_RATE_LIMIT: '0.001:2' });
    const url = await urlOf(started);
    expect((await publish(url, { logs: ['1', '2', '3'].map((m) => log('a', m)) })).status).toBe(202);
    const refused = await publish(url, log('a', '4'));
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);

    const bad = run(['--port', '0'], { LOGS_SSE_PUBLISH_RATE_LIMIT: '100:0' });
    expect(await bad.exited).toBe(2);
    expect(bad.stderr).toMatch(
      /LOGS_SSE_PUBLISH_RATE_LIMIT must be <entriesPerSecond> or <entriesPerSecond>:<burst>/,
    );
  });

  it('refuses to start open on 0.0.0.0 with a clear message', async () => {
    const started = run(['--port', '0', '--host', '0.0.0.0']);
    expect(await started.exited).toBe(1);
    expect(started.stdout).toBe('');
    expect(started.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without auth/);
  });

  it('keeps the young generation at its size through a burst of long-lived objects, unless node was told a size', async () => {
    const probe = `--require ${YOUNG_GENERATION_PROBE}`;
    const kept = await youngGenerationAfterBurst(run(['--port', '0'], { NODE_OPTIONS: probe }));
    expect(kept.after).toBeLessThanOrEqual(kept.before);

    const sized = await youngGenerationAfterBurst(
      run(['--port', '0'], { NODE_OPTIONS: `${probe} --max-semi-space-size=16` }),
    );
    expect(sized.after).toBeGreaterThan(sized.before);
  });

  it('prints help', async () => {
    const started = run(['--help']);
    expect(await started.exited).toBe(0);
    expect(started.stdout).toMatch(/^Usage: logs-sse-gateway/);
    expect(started.stdout).toContain('LOGS_SSE_PORT');
    expect(started.stdout).toContain('LOGS_SSE_PUBLISH_RATE_LIMIT');
  });

  it.each([
    [['--redis', 'http://x'], /redis:\/\//],
    [['--port', 'abc'], /port must be a whole number/],
    [['--nope'], /unknown argument --nope/],
    [['--config', '/does/not/exist.json'], /cannot read config file/],
  ])('exits with a message for %j', async (args, message) => {
    const started = run(args);
    expect(await started.exited).toBe(2);
    expect(started.stderr).toMatch(message);
  });
});
