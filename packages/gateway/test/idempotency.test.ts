import type { NormalizedEntry } from '@logs-sse/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { IdempotencyCache } from '../src/idempotency/idempotencyCache';
import { MemoryStore } from '../src/store/memory/memoryStore';
import type { LogStore } from '../src/store/store';
import { call, log, publish, type Started, startGateway } from './helpers';

let g: Started | undefined;
afterEach(async () => {
  await g?.gateway.close();
  g = undefined;
});

const key = (value: string) => ({ headers: { 'idempotency-key': value } });
const history = async (url: string, resource = 'a') =>
  (await call(`${url}/api/logs/history?channel=logs:svc:ws:${resource}`)).json.logs as { message: string }[];

function memory(now: () => number = Date.now): MemoryStore {
  return new MemoryStore({
    historyPerChannel: 1000,
    historyTtlMs: 86_400_000,
    maxHistoryBytes: 1 << 26,
    now,
  });
}

/** A store whose appends wait for `release()`, or fail while `failing` is set: a slow or broken store. */
function gatedStore(inner: LogStore) {
  let open: () => void = () => {};
  let gate: Promise<void> | undefined;
  const state = { appends: 0, failing: false };
  const store: LogStore = Object.assign(Object.create(inner) as LogStore, {
    async append(entries: readonly NormalizedEntry[]) {
      state.appends++;
      if (state.failing) throw new Error('store down');
      if (gate) await gate;
      return inner.append(entries);
    },
  });
  return {
    store,
    state,
    hold() {
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = undefined;
      open();
    },
  };
}

describe('Idempotency-Key on POST /api/logs/publish (in-memory gateway)', () => {
  it('answers a repeat as the first was answered, rejectedCount included, and stores nothing new', async () => {
    g = await startGateway();
    const body = { logs: [log('a', 'one'), { channel: 'bad', message: 'x' }, log('a', 'two')] };
    const first = await publish(g.url, body, key('"batch-1"'));
    expect([first.status, first.json]).toEqual([
      202,
      {
        accepted: 2,
        rejected: [{ index: 1, error: expect.objectContaining({ code: 'invalid_channel' }) }],
        rejectedCount: 1,
      },
    ]);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    // The same key without quotes is the same key.
    const again = await publish(g.url, body, key('batch-1'));
    expect([again.status, again.text]).toEqual([202, first.text]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await history(g.url)).map((e) => e.message)).toEqual(['one', 'two']);
    expect(g.gateway.stats().logs.in).toBe(2);
  });

  it('refuses the key with another body (422) and takes another key as a new batch', async () => {
    g = await startGateway();
    expect((await publish(g.url, log('a', 'one'), key('"k"'))).status).toBe(202);
    const other = await publish(g.url, log('a', 'two'), key('"k"'));
    expect([other.status, other.json.error.code]).toEqual([422, 'idempotency_key_reused']);
    // The same bytes read another way (NDJSON) are another request.
    const ndjson = await publish(g.url, JSON.stringify(log('a', 'one')), {
      contentType: 'application/x-ndjson',
      ...key('"k"'),
    });
    expect(ndjson.status).toBe(422);
    expect((await publish(g.url, log('a', 'two'), key('"k2"'))).status).toBe(202);
    expect((await history(g.url)).map((e) => e.message)).toEqual(['one', 'two']);
  });

  it('scopes keys to the token: two publishers may use the same key', async () => {
    const tokens = ['publisher-token-one-0001', 'publisher-token-two-0002'];
    g = await startGateway({
      auth: {
        publishers: tokens.map((token) => ({ token, services: ['svc'] })),
        subscribers: [{ token: 'subscriber-token-0003', channels: ['logs:*:*:*'] }],
      },
    });
    for (const token of tokens) {
      const answer = await publish(g.url, log('a', token.slice(16, 19)), { token, ...key('"same"') });
      expect([answer.status, answer.headers.get('idempotent-replayed')]).toEqual([202, null]);
    }
    const logs = await call(`${g.url}/api/logs/history?channel=logs:svc:ws:a`, {
      headers: { authorization: 'Bearer subscriber-token-0003' },
    });
    expect(logs.json.logs.map((e: { message: string }) => e.message)).toEqual(['one', 'two']);
  });

  it('refuses a malformed key with 400 before reading the body', async () => {
    g = await startGateway();
    for (const value of ['', '""', 'two words', '"a\\"b"', `"${'k'.repeat(256)}"`, '"a", "b"', 'caf\u00e9']) {
      const answer = await publish(g.url, log('a', 'x'), key(value)).catch(() => undefined);
      // fetch refuses to send a header value outside Latin-1; every other value reaches the gateway.
      if (answer === undefined) continue;
      expect([value, answer.status, answer.json.error.code]).toEqual([value, 400, 'invalid_idempotency_key']);
    }
    expect(await history(g.url)).toEqual([]);
    expect((await publish(g.url, log('a', 'x'), key(`"${'k'.repeat(255)}"`))).status).toBe(202);
  });

  it('holds a repeat that arrives while the first is being stored, then answers it the same', async () => {
    const gated = gatedStore(memory());
    g = await startGateway({ store: gated.store });
    gated.hold();
    const first = publish(g.url, log('a', 'one'), key('"slow"'));
    await waitFor(() => gated.state.appends === 1);
    const second = publish(g.url, log('a', 'one'), key('"slow"'));
    const other = await publish(g.url, log('a', 'two'), key('"slow"'));
    // Another body with a key in flight is refused at once.
    expect(other.status).toBe(422);
    gated.release();
    const [a, b] = await Promise.all([first, second]);
    expect([a.status, b.status, b.text]).toEqual([202, 202, a.text]);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(gated.state.appends).toBe(1);
  });

  it('records nothing for a publish that was not stored: its retry is stored', async () => {
    const gated = gatedStore(memory());
    g = await startGateway({ store: gated.store });
    gated.state.failing = true;
    expect((await publish(g.url, log('a', 'one'), key('"retry-me"'))).status).toBe(503);
    gated.state.failing = false;
    const retried = await publish(g.url, log('a', 'one'), key('"retry-me"'));
    expect([retried.status, retried.headers.get('idempotent-replayed')]).toEqual([202, null]);
    expect((await history(g.url)).map((e) => e.message)).toEqual(['one']);
  });

  it('forgets a key after idempotencyWindowSeconds', async () => {
    let now = 1_800_000_000_000;
    g = await startGateway({ now: () => now, idempotencyWindowSeconds: 60 });
    expect((await publish(g.url, log('a', 'one'), key('"k"'))).status).toBe(202);
    now += 59_999;
    expect((await publish(g.url, log('a', 'one'), key('"k"'))).headers.get('idempotent-replayed')).toBe(
      'true',
    );
    now += 1;
    expect((await publish(g.url, log('a', 'one'), key('"k"'))).headers.get('idempotent-replayed')).toBeNull();
    expect((await history(g.url)).map((e) => e.message)).toEqual(['one', 'one']);
  });

  it('keeps at most idempotencyMaxKeys records, the least recently used forgotten first', async () => {
    g = await startGateway({ idempotencyMaxKeys: 2 });
    for (const k of ['k1', 'k2']) await publish(g.url, log('a', k), key(k));
    // k1 is used again, so k2 is now the least recently used.
    expect((await publish(g.url, log('a', 'k1'), key('k1'))).headers.get('idempotent-replayed')).toBe('true');
    await publish(g.url, log('a', 'k3'), key('k3'));
    expect((await publish(g.url, log('a', 'k1'), key('k1'))).headers.get('idempotent-replayed')).toBe('true');
    expect((await publish(g.url, log('a', 'k2'), key('k2'))).headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('IdempotencyCache', () => {
  it('stays within its bytes whatever a flood of keys sends', () => {
    const cache = new IdempotencyCache({
      windowMs: 600_000,
      maxKeys: 1_000_000,
      maxBytes: 64 * 1024,
      now: Date.now,
    });
    const body = JSON.stringify({ accepted: 1, rejected: [], rejectedCount: 0 });
    for (let i = 0; i < 50_000; i++) {
      const scope = `scope-${i}`;
      if (cache.claim(scope, 'f').kind !== 'new') throw new Error(`${scope} was not new`);
      cache.complete(scope, { status: 202, body });
    }
    expect(cache.byteSize).toBeLessThanOrEqual(64 * 1024);
    expect(cache.size).toBeGreaterThan(50);
    expect(cache.claim('scope-49999', 'f')).toEqual({ kind: 'replay', answer: { status: 202, body } });
    expect(cache.claim('scope-0', 'f').kind).toBe('new');
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
