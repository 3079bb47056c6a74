import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createGateway,
  GatewayError,
  type GatewayLogger,
  type GatewayOptions,
  MemoryStore,
} from '@logs-sse/gateway';
import type { NormalizedEntry } from '@logs-sse/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCliConfig } from '../src/cli/cliConfig';
import { RateLimiter } from '../src/rateLimiter';
import { call, openStream, publish, type Started, startGateway } from './helpers';

const T0 = 1_700_000_000_000;
let time = T0;
const now = () => time;
let g: Started | undefined;

afterEach(async () => {
  await g?.gateway.close();
  g = undefined;
  time = T0;
});

/** A gateway on the test clock whose services may each publish 10 entries a second, 10 at once. */
async function limited(options: GatewayOptions = {}): Promise<Started> {
  g = await startGateway({ now, publishRateLimit: { entriesPerSecond: 10 }, ...options });
  return g;
}

const entry = (service: string, message: string) => ({ channel: `logs:${service}:ws:r`, message });
const batch = (service: string, count: number, from = 0) => ({
  logs: Array.from({ length: count }, (_, i) => entry(service, `${service}-${from + i}`)),
});

async function messages(url: string, service: string): Promise<string[]> {
  const answer = await call(`${url}/api/logs/history?channel=logs:${service}:ws:r&tail=100000`);
  expect(answer.status).toBe(200);
  return answer.json.logs.map((e: { message: string }) => e.message);
}

describe('publishRateLimit', () => {
  it('accepts and delivers everything while a service stays within its limit', async () => {
    const { url } = await limited();
    const stream = await openStream(url, 'channels=logs:a:ws:r');
    for (let second = 0; second < 3; second++) {
      for (let i = 0; i < 10; i++) {
        const answer = await publish(url, entry('a', `a-${second * 10 + i}`));
        expect(answer.status).toBe(202);
        time += 100;
      }
    }
    await stream.untilEvents('log', 30);
    const expected = Array.from({ length: 30 }, (_, i) => `a-${i}`);
    expect(stream.data('log').map((e) => e.message)).toEqual(expected);
    expect(await messages(url, 'a')).toEqual(expected);
    stream.close();
  });

  it('answers 429 rate_limited with Retry-After, stores nothing of the request, counts it, and lets the service on once the time has passed', async () => {
    const { url, gateway } = await limited();
    expect((await publish(url, batch('a', 10))).status).toBe(202);

    const refused = await publish(url, batch('a', 3, 10));
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe('rate_limited');
    expect(refused.json.error.message).toMatch(/service "a".*10 entries\/s, burst 10/);
    expect(Number(refused.headers.get('retry-after'))).toBe(1);
    // No time has passed: still refused, and the refusal itself costs nothing more.
    expect((await publish(url, batch('a', 3, 10))).status).toBe(429);
    expect(await messages(url, 'a')).toHaveLength(10);
    expect(gateway.stats().logs).toMatchObject({ in: 10, rateLimited: 6 });
    const metrics = await call(`${url}/metrics`);
    expect(metrics.text).toContain(
      '# TYPE logs_sse_publish_rate_limited_total counter\nlogs_sse_publish_rate_limited_total 6\n',
    );

    time += 1000;
    expect((await publish(url, batch('a', 3, 10))).status).toBe(202);
    expect(await messages(url, 'a')).toEqual(batch('a', 13).logs.map((e) => e.message));
  });

  it('keeps one service over its limit from holding back another; a batch naming a limited service is refused whole', async () => {
    const { url } = await limited();
    expect((await publish(url, batch('a', 10))).status).toBe(202);
    expect((await publish(url, batch('a', 1, 10))).status).toBe(429);

    expect((await publish(url, batch('b', 5))).status).toBe(202);
    const mixed = await publish(url, { logs: [...batch('b', 2, 5).logs, ...batch('a', 1, 10).logs] });
    expect(mixed.status).toBe(429);
    expect(mixed.json.error.message).toMatch(/service "a"/);
    expect(await messages(url, 'b')).toEqual(['b-0', 'b-1', 'b-2', 'b-3', 'b-4']);
    // b was not charged for the refused batch: it still has 5 of its 10.
    expect((await publish(url, batch('b', 5, 5))).status).toBe(202);
    expect(await messages(url, 'b')).toHaveLength(10);
  });

  it('accepts one batch larger than the burst, then makes the service wait out its debt', async () => {
    const { url } = await limited();
    expect((await publish(url, batch('a', 35))).status).toBe(202);
    // 25 entries of debt at 10 a second: a token is back after 2.5 s, so in 3 whole seconds.
    const first = await publish(url, entry('a', 'late'));
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('3');
    time += 2000;
    expect((await publish(url, entry('a', 'late'))).headers.get('retry-after')).toBe('1');
    time += 500;
    expect((await publish(url, entry('a', 'late'))).status).toBe(429);
    time += 100;
    expect((await publish(url, entry('a', 'late'))).status).toBe(202);
    expect(await messages(url, 'a')).toHaveLength(36);
  });

  it('honours burst', async () => {
    const { url } = await limited({ publishRateLimit: { entriesPerSecond: 1, burst: 5 } });
    expect((await publish(url, batch('a', 4))).status).toBe(202);
    expect((await publish(url, batch('a', 1, 4))).status).toBe(202);
    expect((await publish(url, batch('a', 1, 5))).status).toBe(429);
    time += 1500;
    expect((await publish(url, batch('a', 1, 5))).status).toBe(202);
  });

  it('does not charge a request the store failed to take', async () => {
    const store = new MemoryStore({
      historyPerChannel: 100,
      historyTtlMs: 60_000,
      maxHistoryBytes: 1e6,
      now,
    });
    let failing = true;
    const append = store.append.bind(store);
    store.append = (entries: readonly NormalizedEntry[]) =>
      failing ? Promise.reject(new Error('store down')) : append(entries);
    const { url } = await limited({ store });
    expect((await publish(url, batch('a', 10))).status).toBe(503);
    failing = false;
    expect((await publish(url, batch('a', 10))).status).toBe(202);
    await store.close();
  });

  it('charges a request before its append, so a concurrent one of the same service sees the charge', async () => {
    const store = new MemoryStore({
      historyPerChannel: 100,
      historyTtlMs: 60_000,
      maxHistoryBytes: 1e6,
      now,
    });
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reached = () => {};
    const appending = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const append = store.append.bind(store);
    store.append = async (entries: readonly NormalizedEntry[]) => {
      reached();
      await held;
      return append(entries);
    };
    const { url } = await limited({ store });
    const first = publish(url, batch('a', 10));
    // The first request is held inside the store's append when the second arrives.
    await appending;
    const second = await publish(url, batch('a', 1, 10));
    expect(second.status).toBe(429);
    release();
    expect((await first).status).toBe(202);
    await store.close();
  });

  it('logs one warning per limited service, not one per refused request', async () => {
    const warnings: object[] = [];
    const logger: GatewayLogger = {
      debug() {},
      info() {},
      warn: (obj) => warnings.push(obj),
      error() {},
    };
    const { url } = await limited({ logger });
    for (const service of ['a', 'b']) {
      expect((await publish(url, batch(service, 10))).status).toBe(202);
      for (let i = 0; i < 5; i++) expect((await publish(url, batch(service, 1))).status).toBe(429);
    }
    expect(warnings).toEqual([
      expect.objectContaining({ service: 'a', entriesPerSecond: 10, burst: 10 }),
      expect.objectContaining({ service: 'b', entriesPerSecond: 10, burst: 10 }),
    ]);
  });

  it('keeps at most 10,000 buckets, dropping the least recently used', async () => {
    const { url } = await limited();
    expect((await publish(url, batch('a', 10))).status).toBe(202);
    expect((await publish(url, batch('a', 1, 10))).status).toBe(429);
    // 10,000 other services push a's bucket out; a then starts again with a full one.
    const many = { logs: Array.from({ length: 10_000 }, (_, i) => entry(`s${i}`, 'x')) };
    expect((await publish(url, many)).status).toBe(202);
    expect((await publish(url, batch('a', 1, 10))).status).toBe(202);
  });

  it('refuses invalid options when the gateway is built', () => {
    const bad: unknown[] = [
      5,
      null,
      {},
      { entriesPerSecond: 0 },
      { entriesPerSecond: -1 },
      { entriesPerSecond: Number.NaN },
      { entriesPerSecond: Number.POSITIVE_INFINITY },
      { entriesPerSecond: '100' },
      { entriesPerSecond: 100, burst: 0 },
      { entriesPerSecond: 100, burst: -5 },
    ];
    for (const publishRateLimit of bad) {
      let error: unknown;
      try {
        createGateway({ logger: false, publishRateLimit: publishRateLimit as never });
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(publishRateLimit)).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).code).toBe('invalid_options');
      expect((error as GatewayError).message).toMatch(/publishRateLimit/);
    }
  });
});

describe('RateLimiter', () => {
  it('holds no more buckets than its cap, keeping the most recently used', () => {
    const limiter = new RateLimiter(10, 10, now, 3);
    const one = (service: string) => new Map([[service, 10]]);
    expect(limiter.admit(one('limited'))).toBeUndefined();
    for (let i = 0; i < 50; i++) {
      expect(limiter.admit(one(`s${i}`))).toBeUndefined();
      // A limited service that keeps trying keeps its bucket, and its debt.
      expect(limiter.admit(one('limited'))).toMatchObject({ service: 'limited' });
      expect(limiter.size).toBeLessThanOrEqual(3);
    }
  });

  it('gives back a refund up to the burst, never above', () => {
    const limiter = new RateLimiter(10, 10, now);
    const counts = new Map([['a', 4]]);
    limiter.admit(counts);
    limiter.refund(counts);
    limiter.refund(counts);
    expect(limiter.admit(new Map([['a', 10]]))).toBeUndefined();
    expect(limiter.admit(new Map([['a', 1]]))).toMatchObject({ retryAfterSeconds: 1 });
  });
});

describe('LOGS_SSE_PUBLISH_RATE_LIMIT', () => {
  const parse = (value: string) =>
    loadCliConfig([], { LOGS_SSE_PUBLISH_RATE_LIMIT: value }).options.publishRateLimit;

  it('takes <entriesPerSecond> or <entriesPerSecond>:<burst>', () => {
    expect(parse('100')).toEqual({ entriesPerSecond: 100 });
    expect(parse('100:500')).toEqual({ entriesPerSecond: 100, burst: 500 });
    expect(parse('0.5:2')).toEqual({ entriesPerSecond: 0.5, burst: 2 });
  });

  it('takes publishRateLimit from the config file, the environment variable winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'logs-sse-rate-'));
    const file = join(dir, 'gateway.json');
    writeFileSync(
      file,
      JSON.stringify({ publishRateLimit: { entriesPerSecond: 50, burst: 200 }, auth: 'open' }),
    );
    const fromFile = loadCliConfig(['--config', file], {});
    expect(fromFile.options.publishRateLimit).toEqual({ entriesPerSecond: 50, burst: 200 });
    const both = loadCliConfig(['--config', file], { LOGS_SSE_PUBLISH_RATE_LIMIT: '7' });
    expect(both.options.publishRateLimit).toEqual({ entriesPerSecond: 7 });
  });

  it.each(['abc', '0', '-1', '100:0', '100:', ':100', '100:500:1', '1e999'])('refuses %j', (value) => {
    expect(() => parse(value)).toThrow(/LOGS_SSE_PUBLISH_RATE_LIMIT must be <entriesPerSecond>.*got "/);
  });
});
