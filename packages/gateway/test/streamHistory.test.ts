import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway, type LogStore, MemoryStore } from '@logs-sse/gateway';
import { compareCursors } from '@logs-sse/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_HISTORY_EVENT_BYTES } from '../src/stream/streamHistory';
import { call, log, openStream, publish, SseReader, type Started, startGateway } from './helpers';
import { redisDeployments, strictlyIncreasing } from './redisNodes';

let g: Started | undefined;
let readers: SseReader[] = [];
afterEach(async () => {
  for (const reader of readers) reader.close();
  readers = [];
  await g?.gateway.close();
  g = undefined;
});

const A = 'logs:svc:ws:a';
const B = 'logs:svc:ws:b';
const ALL = 'logs:svc:ws:*';

async function stream(url: string, query: string, headers: Record<string, string> = {}) {
  const reader = await openStream(url, query, headers);
  readers.push(reader);
  return reader;
}

/** Publishes one entry per message to `resource`, each in its own request, so each has its own cursor. */
async function publishEach(url: string, resource: string, messages: string[]) {
  for (const message of messages) expect((await publish(url, log(resource, message))).status).toBe(202);
}

/** A channel's kept entries, oldest first, from `/history`. */
async function kept(url: string, channel: string): Promise<{ id: string; message: string }[]> {
  return (await call(`${url}/api/logs/history?channel=${channel}`)).json.logs;
}

function memoryStore(): MemoryStore {
  return new MemoryStore({
    historyPerChannel: 1000,
    historyTtlMs: 60_000,
    maxHistoryBytes: 1 << 24,
    now: Date.now,
  });
}

/** A store that forwards to `store`, for tests that replace one of its methods. */
function wrap(store: LogStore): LogStore {
  return {
    append: (entries) => store.append(entries),
    read: (query) => store.read(query),
    subscribe: (listener) => store.subscribe(listener),
    newestCursor: () => store.newestCursor(),
    isReady: () => store.isReady(),
    stats: () => store.stats(),
    close: () => store.close(),
  };
}

const names = (reader: SseReader) => reader.events.map((e) => e.event);
const messagesOf = (logs: { message?: string; type: string }[]) => logs.map((e) => e.message ?? e.type);
/** Every entry a stream carried, history events first as they came, then entries: by message. */
function carried(reader: SseReader): string[] {
  const out: string[] = [];
  for (const event of reader.events) {
    if (event.event === 'history') out.push(...messagesOf(JSON.parse(event.data).logs));
    else if (event.event === 'log') out.push(JSON.parse(event.data).message);
  }
  return out;
}

describe('history events on a fresh stream', () => {
  it('sends the newest N entries of a channel as one history event without id, before live entries', async () => {
    g = await startGateway();
    await publishEach(g.url, 'a', ['a1', 'a2', 'a3', 'a4']);
    await publish(g.url, log('b', 'b1'));
    const stored = await call(`${g.url}/api/logs/history?channel=${A}&tail=3`);
    const outBefore = g.gateway.stats().logs.out;
    const reader = await stream(g.url, `channels=${A},${B}&history=${A}~3`);
    await reader.untilEvents('history', 1);
    expect((await publish(g.url, { logs: [log('a', 'live-a'), log('b', 'live-b')] })).status).toBe(202);
    await reader.untilEvents('log', 2);

    expect(names(reader)).toEqual(['hello', 'history', 'log', 'log']);
    const history = reader.events[1]!;
    expect(history.id).toBeUndefined();
    const data = JSON.parse(history.data);
    expect(Object.keys(data)).toEqual(['channel', 'logs']);
    expect(data.channel).toBe(A);
    expect(messagesOf(data.logs)).toEqual(['a2', 'a3', 'a4']);
    // The stored JSON, byte for byte as /history gives it.
    expect(history.data).toBe(`{"channel":"${A}",${stored.text.slice(1)}`);
    expect(reader.data('log').map((e) => e.message)).toEqual(['live-a', 'live-b']);
    expect(g.gateway.stats().logs.out - outBefore).toBe(3 + 2);
  });

  it('clamps a count larger than what is kept, up to 15 digits', async () => {
    g = await startGateway({ historyPerChannel: 3 });
    await publishEach(g.url, 'a', ['a1', 'a2', 'a3', 'a4']);
    const reader = await stream(g.url, `channels=${A}&history=${A}~${'9'.repeat(15)}`);
    await reader.untilEvents('history', 1);
    expect(messagesOf(reader.data('history')[0]!.logs)).toEqual(['a2', 'a3', 'a4']);
    // The same for the stream's and /history's own `tail`.
    const history = await call(`${g.url}/api/logs/history?channel=${A}&tail=10000000000`);
    expect(history.status).toBe(200);
  });

  it('sends one event per item in request order, also from repeated history parameters', async () => {
    g = await startGateway();
    await publishEach(g.url, 'a', ['a1', 'a2']);
    await publishEach(g.url, 'b', ['b1', 'b2']);
    const reader = await stream(g.url, `channels=${A},${B}&history=${B}~1&history=${A}~5`);
    await reader.untilEvents('history', 2);
    expect(reader.data('history').map((h) => [h.channel, messagesOf(h.logs)])).toEqual([
      [B, ['b2']],
      [A, ['a1', 'a2']],
    ]);
  });

  it('sends the entries after a cursor, with a gap without id first when some were evicted', async () => {
    g = await startGateway({ historyPerChannel: 3 });
    await publishEach(g.url, 'a', ['a0', 'a1']);
    const [first] = await kept(g.url, A);
    await publishEach(g.url, 'a', ['a2', 'a3', 'a4', 'a5']);

    const cut = await stream(g.url, `channels=${A}&history=${A}~${first!.id}`);
    await cut.untilEvents('history', 1);
    expect(names(cut)).toEqual(['hello', 'gap', 'history']);
    expect(cut.events[1]!.id).toBeUndefined();
    // a1 and a2 were after the cursor and are gone.
    expect(cut.data('gap')).toEqual([{ channel: A, missed: 2, from: first!.id, reason: 'dropped' }]);
    expect(messagesOf(cut.data('history')[0].logs)).toEqual(['a3', 'a4', 'a5']);

    const [, a4] = await kept(g.url, A);
    const whole = await stream(g.url, `channels=${A}&history=${A}~${a4!.id}`);
    await whole.untilEvents('history', 1);
    expect(names(whole)).toEqual(['hello', 'history']);
    expect(messagesOf(whole.data('history')[0].logs)).toEqual(['a5']);
  });

  it('applies level and q to history, and always includes status and done entries', async () => {
    g = await startGateway();
    await publish(g.url, {
      logs: [
        log('a', 'debug noise', { level: 'debug' }),
        log('a', 'Disk warning', { level: 'warn' }),
        log('a', 'other warning', { level: 'error' }),
        { type: 'status', channel: A, phase: 'active', progress: 50 },
        log('a', 'disk error', { level: 'error' }),
        log('a', 'disk info', { level: 'info' }),
        { type: 'done', channel: A },
      ],
    });
    const reader = await stream(g.url, `channels=${A}&level=warn&q=DISK&history=${A}~100`);
    await reader.untilEvents('history', 1);
    const { logs } = reader.data('history')[0];
    expect(messagesOf(logs)).toEqual(['Disk warning', 'status', 'disk error', 'done']);
    expect(logs.map((e: { type: string }) => e.type)).toEqual(['log', 'status', 'log', 'done']);
  });

  it('takes the count per channel for a pattern key, merged in cursor order', async () => {
    g = await startGateway();
    await publish(g.url, {
      logs: [log('a', 'a1'), log('b', 'b1'), log('a', 'a2'), log('c', 'c1'), log('b', 'b2'), log('a', 'a3')],
    });
    const reader = await stream(g.url, `channels=${ALL}&history=${ALL}~2`);
    await reader.untilEvents('history', 1);
    const [history] = reader.data('history');
    expect(history.channel).toBe(ALL);
    expect(messagesOf(history.logs)).toEqual(['b1', 'a2', 'c1', 'b2', 'a3']);
  });

  it('caps the event of a pattern at historyPerChannel entries, the newest, and reports what a cursor item lost', async () => {
    g = await startGateway({ historyPerChannel: 4 });
    await publish(g.url, { channel: 'logs:other:ws:x', message: 'start' });
    const [start] = await kept(g.url, 'logs:other:ws:x');
    // 3 channels of 3 entries each: 9 matches, all within each channel's ring.
    for (let i = 1; i <= 3; i++)
      await publish(
        g.url,
        ['a', 'b', 'c'].map((r) => log(r, `${r}${i}`)),
      );

    const byCount = await stream(g.url, `channels=${ALL}&history=${ALL}~4`);
    await byCount.untilEvents('history', 1);
    expect(messagesOf(byCount.data('history')[0].logs)).toEqual(['c2', 'a3', 'b3', 'c3']);
    expect(names(byCount)).toEqual(['hello', 'history']);

    const byCursor = await stream(g.url, `channels=${ALL}&history=${ALL}~${start!.id}`);
    await byCursor.untilEvents('history', 1);
    expect(messagesOf(byCursor.data('history')[0].logs)).toEqual(['c2', 'a3', 'b3', 'c3']);
    // a1, b1, c1, a2 and b2 were cut from the event: the client is told, per channel, before the event.
    expect(names(byCursor)).toEqual(['hello', 'gap', 'gap', 'gap', 'history']);
    expect(byCursor.data('gap')).toEqual([
      { channel: A, missed: 2, from: start!.id, reason: 'dropped' },
      { channel: B, missed: 2, from: start!.id, reason: 'dropped' },
      { channel: 'logs:svc:ws:c', missed: 1, from: start!.id, reason: 'dropped' },
    ]);
  });

  it('keeps one event within MAX_HISTORY_EVENT_BYTES, the newest, which a client can buffer whole', async () => {
    g = await startGateway({ historyPerChannel: 1000 });
    await publish(g.url, log('a', 'first'));
    const [first] = await kept(g.url, A);
    // 800 entries of ~8 KB: 6.4 MB, more than one event may hold (and than a client buffers for one).
    const pad = 'x'.repeat(8000);
    const messages = Array.from({ length: 800 }, (_, i) => `m${i}`);
    for (let i = 0; i < messages.length; i += 100) {
      const batch = messages.slice(i, i + 100).map((m) => log('a', m, { pad }));
      expect((await publish(g.url, { logs: batch })).status).toBe(202);
    }

    const byCount = await stream(g.url, `channels=${A}&history=${A}~1000`);
    await byCount.untilEvents('history', 1);
    const [event] = byCount.events.filter((e) => e.event === 'history');
    expect(Buffer.byteLength(event!.data)).toBeLessThanOrEqual(MAX_HISTORY_EVENT_BYTES);
    const sent = messagesOf(JSON.parse(event!.data).logs);
    // The newest that fit (about 4 MiB / 8 KB), and not much fewer.
    expect(sent).toEqual(messages.slice(-sent.length));
    expect(sent.length).toBeGreaterThan(500);

    // A cursor item is told, before its event, what the cap left out.
    const byCursor = await stream(g.url, `channels=${A}&history=${A}~${first!.id}`);
    await byCursor.untilEvents('history', 1);
    expect(names(byCursor)).toEqual(['hello', 'gap', 'history']);
    expect(messagesOf(byCursor.data('history')[0].logs)).toEqual(sent);
    expect(byCursor.data('gap')).toEqual([
      { channel: A, missed: 800 - sent.length, from: first!.id, reason: 'dropped' },
    ]);
  });

  it('sends an empty history event when nothing is kept, and when nothing was stored at all', async () => {
    g = await startGateway();
    const nothingStored = await stream(g.url, `channels=${A},${ALL}&history=${A}~10,${ALL}~0-0`);
    await nothingStored.untilEvents('history', 2);
    expect(nothingStored.data('hello')[0].cursor).toBeNull();
    expect(nothingStored.data('history')).toEqual([
      { channel: A, logs: [] },
      { channel: ALL, logs: [] },
    ]);

    await publish(g.url, log('b', 'b1'));
    const [b1] = await kept(g.url, B);
    const nothingKept = await stream(g.url, `channels=${A},${B}&history=${A}~10,${B}~${b1!.id}`);
    await nothingKept.untilEvents('history', 2);
    expect(nothingKept.data('history')).toEqual([
      { channel: A, logs: [] },
      { channel: B, logs: [] },
    ]);
    await publish(g.url, log('a', 'live'));
    await nothingKept.untilEvents('log', 1);
    expect(names(nothingKept)).toEqual(['hello', 'history', 'history', 'log']);
  });

  it('loses and repeats nothing when entries arrive while the stream opens', async () => {
    g = await startGateway();
    const before = Array.from({ length: 100 }, (_, i) => `h${i}`);
    // A history event of ~200 KB is written in pieces, waiting for the socket: publishes come in meanwhile.
    await publish(g.url, { logs: before.map((m) => log('a', m, { pad: 'x'.repeat(2000) })) });
    const live = Array.from({ length: 60 }, (_, i) => `l${i}`);
    // Streams opened at different moments of the burst, each while publishes go on: each splits the
    // burst between history and live.
    const opening: Promise<SseReader>[] = [];
    for (const [i, message] of live.entries()) {
      if (i % 10 === 0) opening.push(stream(g.url, `channels=${A},${B}&history=${A}~1000`));
      expect((await publish(g.url, log('a', message))).status).toBe(202);
    }
    const opened = await Promise.all(opening);
    await publish(g.url, log('a', 'end'));
    const everything = [...before, ...live, 'end'];
    expect(opened).toHaveLength(6);
    for (const reader of opened) {
      await reader.until((r) => r.data('log').some((e) => e.message === 'end'), 'the end entry');
      expect(names(reader).slice(0, 2)).toEqual(['hello', 'history']);
      expect(carried(reader)).toEqual(everything);
      const ids = [
        ...reader.data('history')[0].logs.map((e: { id: string }) => e.id),
        ...reader.events.filter((e) => e.event === 'log').map((e) => e.id),
      ];
      expect(strictlyIncreasing(ids, compareCursors)).toBe(true);
      // History holds exactly what the stream started with: up to hello's cursor.
      const { cursor } = reader.data('hello')[0];
      expect(compareCursors(reader.data('history')[0].logs.at(-1).id, cursor)).toBeLessThanOrEqual(0);
    }
  });

  it('sends entries published while the history is read after it, once', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const memory = memoryStore();
    g = await startGateway({
      store: { ...wrap(memory), read: (query) => gate.then(() => memory.read(query)) },
    });
    await publishEach(g.url, 'a', ['h1', 'h2']);
    const reader = await stream(g.url, `channels=${A}&history=${A}~10`);
    // The read is held: these are stored and reach the stream (held back) before it runs.
    await publishEach(g.url, 'a', ['l1', 'l2', 'l3']);
    release();
    await reader.untilEvents('log', 3);
    expect(names(reader)).toEqual(['hello', 'history', 'log', 'log', 'log']);
    expect(carried(reader)).toEqual(['h1', 'h2', 'l1', 'l2', 'l3']);
  });

  it('ends the stream without a history event when the store fails', async () => {
    const memory = memoryStore();
    g = await startGateway({
      store: { ...wrap(memory), read: () => Promise.reject(new Error('disk on fire')) },
    });
    await publish(g.url, log('a', 'a1'));
    const reader = new SseReader(`${g.url}/api/logs/stream?channels=${A}&history=${A}~5`);
    readers.push(reader);
    await reader.opened;
    await reader.untilEnd();
    expect(reader.status).toBe(200);
    expect(names(reader)).not.toContain('history');
  });
});

describe('history events on a resumed stream', () => {
  it('hold the entries up to the resume cursor, the replay those after it: each entry once, in order', async () => {
    g = await startGateway();
    await publishEach(g.url, 'b', ['b1']);
    await publishEach(g.url, 'a', ['a1', 'a2', 'a3']);
    const [, , a3] = await kept(g.url, A);
    await publish(g.url, { logs: [log('a', 'a4'), log('b', 'b2'), log('a', 'a5')] });

    const reader = await stream(g.url, `channels=${A},${B}&history=${A}~10,${B}~10`, {
      'last-event-id': a3!.id,
    });
    await reader.untilEvents('log', 3);
    await publish(g.url, log('a', 'live'));
    await reader.untilEvents('log', 4);
    expect(names(reader)).toEqual(['hello', 'history', 'history', 'log', 'log', 'log', 'log']);
    expect(reader.data('history').map((h) => [h.channel, messagesOf(h.logs)])).toEqual([
      [A, ['a1', 'a2', 'a3']],
      [B, ['b1']],
    ]);
    expect(reader.data('log').map((e) => e.message)).toEqual(['a4', 'b2', 'a5', 'live']);
    for (const event of reader.events.filter((e) => e.event === 'log')) {
      expect(compareCursors(event.id!, a3!.id)).toBeGreaterThan(0);
    }
  });

  it('counts a tail from the resume cursor, and a cursor item reads up to it', async () => {
    g = await startGateway();
    await publishEach(g.url, 'a', ['a1', 'a2', 'a3', 'a4', 'a5']);
    const [a1, , a3] = await kept(g.url, A);
    const reader = await stream(g.url, `channels=${A},${B}&history=${B}~${a1!.id},${A}~2&follow=false`, {
      'last-event-id': a3!.id,
    });
    await reader.untilEnd();
    expect(names(reader)).toEqual(['hello', 'history', 'history', 'log', 'log', 'done']);
    expect(reader.data('history')).toEqual([
      { channel: B, logs: [] },
      { channel: A, logs: (await kept(g.url, A)).slice(1, 3) },
    ]);
    expect(reader.data('log').map((e) => e.message)).toEqual(['a4', 'a5']);
    expect(reader.data('done')[0]).toMatchObject({ reason: 'end_of_history', count: 4 });
  });
});

describe('history events with follow=false', () => {
  it('come first, then the entries stored after the start, then the end-of-history done', async () => {
    g = await startGateway();
    await publishEach(g.url, 'a', ['a1', 'a2', 'a3']);
    await publish(g.url, log('b', 'b1'));
    const reader = await stream(g.url, `channels=${A},${B}&history=${A}~2&follow=false`);
    await reader.untilEnd();
    expect(names(reader)).toEqual(['hello', 'history', 'done']);
    expect(messagesOf(reader.data('history')[0].logs)).toEqual(['a2', 'a3']);
    const [done] = reader.data('done');
    expect(done).toEqual({ type: 'done', reason: 'end_of_history', channels: [A, B], count: 2 });
    expect(reader.events.at(-1)!.id).toBeUndefined();
  });
});

describe('bad history parameters are refused before the stream starts', () => {
  beforeAll(async () => {
    shared = await startGateway({ maxChannels: 3 });
  });
  afterAll(() => shared.gateway.close());
  let shared: Started;

  it.each([
    ['an item without separator', `channels=${A}&history=${A}`],
    ['an empty key', `channels=${A}&history=~5`],
    ['an empty value', `channels=${A}&history=${A}~`],
    ['a word', `channels=${A}&history=${A}~abc`],
    ['a negative count', `channels=${A}&history=${A}~-1`],
    ['an exponent', `channels=${A}&history=${A}~1e3`],
    ['a count of 20 digits', `channels=${A}&history=${A}~${'9'.repeat(20)}`],
    ['a cursor with three parts', `channels=${A}&history=${A}~1-2-3`],
    ['a cursor without sequence', `channels=${A}&history=${A}~1700000000000-`],
    ['a cursor of 16 digits', `channels=${A}&history=${A}~${'1'.repeat(16)}-0`],
    ['a key not among channels', `channels=${A}&history=${B}~5`],
    ['a concrete key under a pattern of channels', `channels=${ALL}&history=${A}~5`],
    ['the same key twice', `channels=${A}&history=${A}~5,${A}~1-0`],
    ['the same key in two parameters', `channels=${A}&history=${A}~5&history=${A}~5`],
    ['history with tail', `channels=${A}&history=${A}~5&tail=5`],
    ['history with since', `channels=${A}&history=${A}~5&since=0-0`],
    ['history with since on a resume', `channels=${A}&history=${A}~5&since=0&lastEventId=1-0`],
  ])('%s', async (_name, query) => {
    const reader = await openStream(shared.url, query);
    expect(reader.status).toBe(400);
    expect(reader.headers['content-type']).toMatch(/^application\/json/);
    const { error } = JSON.parse(reader.body);
    expect(error.code).toBe('invalid_query');
    expect(error.message).toMatch(/history/);
  });

  it('says what was expected', async () => {
    const reader = await openStream(shared.url, `channels=${A}&history=${A}~abc`);
    expect(JSON.parse(reader.body).error.message).toBe(
      `"history" of "${A}" must be a count of entries or a cursor the gateway sent, got "abc"`,
    );
    const both = await openStream(shared.url, `channels=${A}&history=${A}~5&tail=1`);
    expect(JSON.parse(both.body).error.message).toMatch(/use history or tail\/since, not both/);
  });

  it('refuses a 100 KB history parameter with a short message, when the server lets such a URL through', async () => {
    // A listening gateway keeps Node's 16 KB header limit (such a URL is a 431 before any route runs);
    // a host server may raise it, and the gateway's own parsing must still hold.
    const gateway = createGateway({ logger: false, maxChannels: 3 });
    const server: Server = createServer({ maxHeaderSize: 1 << 20 }, gateway.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const cases = [
        `channels=${A}&history=${A}~${'1'.repeat(100_000)}`,
        `channels=${A}&history=${`${A}~1,`.repeat(7000)}`,
        `channels=${A}&history=${'x'.repeat(100_000)}~1`,
        `channels=${A}&history=${`logs:svc:ws:${'r'.repeat(100)}~1,`.repeat(900)}`,
      ];
      for (const query of cases) {
        expect(query.length).toBeGreaterThan(100_000);
        const answer = await call(`${url}/api/logs/stream?${query}`);
        expect(answer.status).toBe(400);
        expect(answer.json.error.code).toBe('invalid_query');
        expect(answer.text.length).toBeLessThan(600);
      }
      const listening = await call(`${shared.url}/api/logs/stream?${cases[0]}`);
      expect([listening.status, listening.json.error.code]).toEqual([431, 'headers_too_large']);
    } finally {
      await gateway.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses history of a channel the token may not read, which must be among channels', async () => {
    g = await startGateway({
      auth: {
        publishers: [{ token: 'publisher-token-1', services: ['*'] }],
        subscribers: [{ token: 'subscriber-a-token', channels: [A] }],
      },
    });
    await publish(g.url, log('b', 'secret'), { token: 'publisher-token-1' });
    const forbidden = await openStream(
      g.url,
      `channels=${A},${B}&history=${B}~5&access_token=subscriber-a-token`,
    );
    expect(forbidden.status).toBe(403);
    expect(JSON.parse(forbidden.body).error.code).toBe('forbidden');
    const notListed = await openStream(g.url, `channels=${A}&history=${B}~5&access_token=subscriber-a-token`);
    expect(notListed.status).toBe(400);
    expect(notListed.body).not.toContain('secret');
  });
});

describe('history events on a Redis store', () => {
  const redis = redisDeployments('history');
  const deploy = (count: number) => redis.deploy(count);

  it('resumes on another gateway: history up to the cursor, replay after it, each entry once', async () => {
    const [a, b] = await deploy(2);
    await publishEach(a!.url, 'a', ['a1', 'a2', 'a3']);
    await publishEach(a!.url, 'b', ['b1']);
    const [, a2] = await kept(a!.url, A);
    await publish(a!.url, { logs: [log('a', 'a4'), log('b', 'b2')] });

    const reader = await stream(b!.url, `channels=${A},${B}&history=${A}~10,${B}~0-0`, {
      'last-event-id': a2!.id,
    });
    await reader.untilEvents('log', 3);
    await publish(a!.url, log('a', 'live'));
    await reader.until((r) => r.data('log').some((e) => e.message === 'live'), 'the live entry');
    expect(reader.data('history').map((h) => [h.channel, messagesOf(h.logs)])).toEqual([
      [A, ['a1', 'a2']],
      [B, []],
    ]);
    expect(reader.data('log').map((e) => e.message)).toEqual(['a3', 'b1', 'a4', 'b2', 'live']);
    expect(reader.data('gap')).toEqual([]);

    // A count is taken back from the resume cursor; a cursor item newer than it has nothing to send.
    const [, , a3] = await kept(a!.url, A);
    const counted = await stream(b!.url, `channels=${A},${B}&history=${A}~1,${B}~${a3!.id}&follow=false`, {
      'last-event-id': a2!.id,
    });
    await counted.untilEnd();
    expect(counted.data('history').map((h) => [h.channel, messagesOf(h.logs)])).toEqual([
      [A, ['a2']],
      [B, []],
    ]);
    expect(counted.data('log').map((e) => e.message)).toEqual(['a3', 'b1', 'a4', 'b2', 'live']);
  });

  it('splits entries published while the stream opens between history and live, losing none', async () => {
    const [a, b] = await deploy(2);
    const before = Array.from({ length: 30 }, (_, i) => `h${i}`);
    await publish(a!.url, { logs: before.map((m) => log('a', m)) });
    const live = Array.from({ length: 40 }, (_, i) => `l${i}`);
    const publishing = (async () => {
      for (const message of live) expect((await publish(a!.url, log('a', message))).status).toBe(202);
    })();
    const opened: SseReader[] = [];
    for (let i = 0; i < 4; i++) opened.push(await stream(b!.url, `channels=${A}&history=${A}~1000`));
    await publishing;
    await publish(a!.url, log('a', 'end'));
    for (const reader of opened) {
      await reader.until((r) => r.data('log').some((e) => e.message === 'end'), 'the end entry');
      expect(carried(reader)).toEqual([...before, ...live, 'end']);
    }
  });
});
