import { afterEach, describe, expect, it } from 'vitest';
import { PublisherRegistry } from '../src/publishers';
import { call, type Started, startGateway } from './helpers';

let g: Started | undefined;
afterEach(async () => {
  await g?.gateway.close();
  g = undefined;
});

const auth = {
  publishers: [
    { token: 'publisher-a-0123456789', services: ['*'] },
    { token: 'publisher-b-0123456789', services: ['etl'] },
  ],
  adminToken: 'admin-secret-0123456789',
};

function heartbeat(url: string, token: string | undefined, body: Record<string, unknown>) {
  return call(`${url}/api/logs/publishers/heartbeat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
}

/** Sends `count` heartbeats from `token`, a few at a time, each for a publisher id of its own. */
async function flood(url: string, token: string, count: number, stats: Record<string, unknown> = {}) {
  for (let i = 0; i < count; i += 25) {
    const batch = Array.from({ length: Math.min(25, count - i) }, (_, k) =>
      heartbeat(url, token, { publisherId: `made-up-${i + k}`, stats }),
    );
    for (const answer of await Promise.all(batch)) expect(answer.status).toBe(204);
  }
}

async function stats(url: string) {
  const answer = await call(`${url}/admin/logs/stats`, {
    headers: { authorization: 'Bearer admin-secret-0123456789' },
  });
  expect(answer.status).toBe(200);
  return answer;
}

describe('publisher heartbeats under auth', () => {
  it('keeps one entry per token and publisher id: a token cannot overwrite another token’s publisher', async () => {
    g = await startGateway({ auth });
    expect(
      (
        await heartbeat(g.url, 'publisher-b-0123456789', {
          publisherId: 'worker-1',
          service: 'etl',
          stats: { queued: 1 },
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await heartbeat(g.url, 'publisher-a-0123456789', {
          publisherId: 'worker-1',
          service: 'etl',
          stats: { queued: 999 },
        })
      ).status,
    ).toBe(204);
    const { publishers } = (await stats(g.url)).json;
    expect(publishers).toHaveLength(2);
    const [b, a] = publishers;
    expect(b).toMatchObject({ publisherId: 'worker-1', lastHeartbeat: { stats: { queued: 1 } } });
    expect(a).toMatchObject({ publisherId: 'worker-1', lastHeartbeat: { stats: { queued: 999 } } });
    expect(a.owner).toMatch(/^token:/);
    expect(b.owner).toMatch(/^token:/);
    expect(a.owner).not.toBe(b.owner);
    // The label says nothing of the token itself.
    expect(JSON.stringify(publishers)).not.toContain('publisher-a-0123456789');
  });

  it('lets a flood of made-up ids from one token evict only that token’s own entries', async () => {
    g = await startGateway({ auth });
    await heartbeat(g.url, 'publisher-b-0123456789', {
      publisherId: 'worker-1',
      service: 'etl',
      stats: { queued: 1 },
    });
    await flood(g.url, 'publisher-a-0123456789', 300);
    const { publishers } = (await stats(g.url)).json;
    const survivor = publishers.find((p: { publisherId: string }) => p.publisherId === 'worker-1');
    expect(survivor).toMatchObject({ lastHeartbeat: { stats: { queued: 1 } } });
    const flooded = publishers.filter((p: { owner: string }) => p.owner !== survivor.owner);
    // Its 100 most recent, oldest first: the first 200 made-up ids were evicted.
    expect(flooded).toHaveLength(100);
    expect(flooded[0].publisherId).toBe('made-up-200');
    expect(flooded[99].publisherId).toBe('made-up-299');
  });

  it('bounds the bytes of stats one token keeps, so the stats endpoint stays small', async () => {
    g = await startGateway({ auth });
    await heartbeat(g.url, 'publisher-b-0123456789', {
      publisherId: 'worker-1',
      service: 'etl',
      stats: { queued: 1 },
    });
    // 15 kB of stats each, under the 16 kB body cap: 60 of them are 900 kB, far over one token's 256 kB.
    await flood(g.url, 'publisher-a-0123456789', 60, { pad: 'x'.repeat(15_000) });
    const answer = await stats(g.url);
    const flooded = answer.json.publishers.filter(
      (p: { publisherId: string }) => p.publisherId !== 'worker-1',
    );
    expect(flooded.length).toBeGreaterThan(10);
    expect(flooded.length).toBeLessThanOrEqual(Math.floor((256 * 1024) / 15_000));
    expect(flooded.at(-1).publisherId).toBe('made-up-59');
    expect(answer.json.publishers.some((p: { publisherId: string }) => p.publisherId === 'worker-1')).toBe(
      true,
    );
    expect(answer.text.length).toBeLessThan(256 * 1024 + 20_000);
  });

  it('still refuses heartbeats for a service the token may not publish to', async () => {
    g = await startGateway({ auth });
    const answer = await heartbeat(g.url, 'publisher-b-0123456789', {
      publisherId: 'w',
      service: 'api',
      stats: {},
    });
    expect(answer.status).toBe(403);
    expect((await stats(g.url)).json.publishers).toEqual([]);
  });
});

it('refuses a heartbeat that is not JSON, naming the type to send, and keeps nothing of it', async () => {
  g = await startGateway({ auth });
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/x-ndjson']) {
    const answer = await call(`${g.url}/api/logs/publishers/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': type, authorization: 'Bearer publisher-a-0123456789' },
      body: JSON.stringify({ publisherId: 'worker-1', stats: {} }),
    });
    expect(answer.status).toBe(415);
    expect(answer.json.error).toEqual({ code: 'unsupported_media_type', message: 'send application/json' });
  }
  expect(g.gateway.stats().publishers).toEqual([]);
});

it('without auth, keeps every caller’s publishers under one shared owner', async () => {
  g = await startGateway();
  await heartbeat(g.url, undefined, { publisherId: 'worker-1', stats: { queued: 1 } });
  await heartbeat(g.url, undefined, { publisherId: 'worker-1', stats: { queued: 2 } });
  expect(g.gateway.stats().publishers).toEqual([
    expect.objectContaining({ publisherId: 'worker-1', owner: 'open', lastHeartbeat: expect.anything() }),
  ]);
  expect(g.gateway.stats().publishers[0]!.lastHeartbeat!.stats).toEqual({ queued: 2 });
});

describe('PublisherRegistry limits', () => {
  const ids = (registry: PublisherRegistry, owner: string) =>
    registry
      .list()
      .filter((p) => p.owner === owner)
      .map((p) => p.publisherId);

  it('when full in all, takes from the token that holds the most, never from a smaller one', () => {
    const registry = new PublisherRegistry(() => 0, { perOwner: 4, total: 6 });
    for (const id of ['a1', 'a2', 'a3', 'a4']) registry.heartbeat(id, null, {}, 'A');
    for (const id of ['b1', 'b2']) registry.heartbeat(id, null, {}, 'B');
    registry.heartbeat('c1', null, {}, 'C');
    expect(registry.size).toBe(6);
    expect(ids(registry, 'A')).toEqual(['a2', 'a3', 'a4']);
    expect(ids(registry, 'B')).toEqual(['b1', 'b2']);
    // A at its limit, or tied for the most, replaces its own.
    registry.heartbeat('c2', null, {}, 'C');
    registry.heartbeat('a5', null, {}, 'A');
    expect(ids(registry, 'B')).toEqual(['b1', 'b2']);
    expect(registry.size).toBe(6);
    // Activity counts as use: a publisher that keeps publishing is not the one evicted.
    registry.published('a3', 'svc', 1, 'A');
    registry.heartbeat('a6', null, {}, 'A');
    expect(ids(registry, 'A')).toContain('a3');
  });

  it('bounds bytes per token and in all, measured as the stats are served', () => {
    const registry = new PublisherRegistry(() => 0, { bytesPerOwner: 10_000, totalBytes: 15_000 });
    const stats = { pad: 'x'.repeat(3_000) };
    for (let i = 0; i < 10; i++) registry.heartbeat(`a${i}`, null, stats, 'A');
    expect(registry.usage('A').bytes).toBeLessThanOrEqual(10_000);
    expect(registry.usage('A').entries).toBe(3);
    for (let i = 0; i < 10; i++) registry.heartbeat(`b${i}`, null, stats, 'B');
    expect(registry.usage().bytes).toBeLessThanOrEqual(15_000);
    expect(registry.usage('B').entries).toBeGreaterThanOrEqual(1);
    expect(registry.usage('A').entries).toBeGreaterThanOrEqual(1);
    // The registry's count matches what it lists.
    expect(registry.list()).toHaveLength(registry.size);
  });

  it('counts publishes reported without an owner under the shared one', () => {
    const registry = new PublisherRegistry(() => 0);
    registry.published('worker-1', 'svc', 2);
    registry.heartbeat('worker-1', 'svc', { queued: 0 });
    expect(registry.list()).toEqual([
      expect.objectContaining({ publisherId: 'worker-1', owner: 'open', logsIn: 2 }),
    ]);
  });
});
