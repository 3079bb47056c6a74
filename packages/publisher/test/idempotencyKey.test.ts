import { parseIdempotencyKey } from '@logs-sse/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogsPublisher, type PublisherOptions } from '../src/index';
import { accept, LoopbackServer, type Responder } from './helpers/loopbackServer';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(respond: Responder, options: Partial<PublisherOptions> = {}) {
  const server = await LoopbackServer.start(respond);
  const pub = createLogsPublisher({
    url: server.url,
    service: 'svc',
    heartbeatIntervalMs: 0,
    flushIntervalMs: 5,
    retryBaseMs: 1,
    retryMaxMs: 5,
    handleExit: false,
    ...options,
  });
  cleanups.push(() => server.close());
  cleanups.push(() => pub.close());
  return { server, pub };
}

const entry = (i: number) => ({ workspace_id: 'ws', resource_id: 'r', message: `m${i}`, i });
const keyOf = (headers: Record<string, unknown>) => parseIdempotencyKey(String(headers['idempotency-key']));

describe('Idempotency-Key', () => {
  it('sends one key per batch and the same key with every retry of that batch', async () => {
    // The first answer of each batch is lost (the connection is reset after the body arrived), as when
    // the gateway stored it and died before answering.
    const { server, pub } = await setup((_, index) => (index % 2 === 0 ? 'reset' : accept(_, index)), {
      batchSize: 2,
    });
    for (let i = 0; i < 4; i++) pub.publish(entry(i));
    expect(await pub.flush()).toBe(true);
    const sent = server.publishes.map((r) => ({ key: keyOf(r.headers), entries: r.lines.map((l) => l.i) }));
    expect(sent.map((s) => s.entries)).toEqual([
      [0, 1],
      [0, 1],
      [2, 3],
      [2, 3],
    ]);
    expect(sent[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.publishes[0]!.headers['idempotency-key']).toBe(`"${sent[0]!.key}"`);
    expect(sent[1]!.key).toBe(sent[0]!.key);
    expect(sent[3]!.key).toBe(sent[2]!.key);
    expect(sent[2]!.key).not.toBe(sent[0]!.key);
  });

  it('gives each half of a split batch a key of its own: a reused key with another body is refused', async () => {
    const { server, pub } = await setup(
      (req, index) => (index === 0 ? { status: 413 } : accept(req, index)),
      {
        batchSize: 4,
      },
    );
    for (let i = 0; i < 4; i++) pub.publish(entry(i));
    expect(await pub.flush()).toBe(true);
    const keys = server.publishes.map((r) => keyOf(r.headers));
    expect(server.publishes.map((r) => r.lines.length)).toEqual([4, 2, 2]);
    expect(new Set(keys).size).toBe(3);
  });
});
