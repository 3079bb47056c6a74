import { API_PATHS } from '@logs-sse/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pollWaitMs } from '../src/routes/poll';
import { call, log, publish, type Started, startGateway } from './helpers';
import { redisDeployments } from './redisNodes';

let g: Started | undefined;
afterEach(async () => {
  await g?.gateway.close();
  g = undefined;
});

const A = 'logs:svc:ws:a';
const B = 'logs:svc:ws:b';
const READER = 'reader-secret-0123456789';

interface Polled {
  status: number;
  headers: Headers;
  retry: number | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: event data is inspected field by field
  events: { event: string; id: string | undefined; data: any }[];
}

/** One poll, its answer split into events as a client reads them. */
async function poll(url: string, query: string, init: RequestInit = {}): Promise<Polled> {
  const answer = await call(`${url}${API_PATHS.poll}?${query}`, init);
  let retry: number | undefined;
  const events: Polled['events'] = [];
  for (const block of answer.text.split('\n\n')) {
    let event = '';
    let id: string | undefined;
    let data = '';
    for (const line of block.split('\n')) {
      const at = line.indexOf(':');
      const field = line.slice(0, at);
      const value = line.slice(at + 2);
      if (field === 'retry') retry = Number(value);
      if (field === 'event') event = value;
      if (field === 'id') id = value;
      if (field === 'data') data = value;
    }
    if (event) events.push({ event, id, data: JSON.parse(data) });
  }
  return { status: answer.status, headers: answer.headers, retry, events };
}

const messages = (answer: Polled) =>
  answer.events.filter((e) => e.event === 'log').map((e) => e.data.message);

describe('GET /api/logs/poll', () => {
  it('answers a first poll at once: hello with the cursor to poll from, and the history asked for', async () => {
    g = await startGateway();
    await publish(g.url, { logs: [log('a', 'a1'), log('a', 'a2'), log('b', 'b1')] });
    const first = await poll(g.url, `channels=${A},${B}&history=${A}~1`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(first.headers.get('cache-control')).toContain('no-store');
    expect(first.retry).toBe(2000);
    const [hello, history] = first.events;
    expect(hello!.event).toBe('hello');
    expect(hello!.data.cursor).toMatch(/^\d+-\d+$/);
    expect(history).toMatchObject({ event: 'history', data: { channel: A, logs: [{ message: 'a2' }] } });
    expect(first.events).toHaveLength(2);
  });

  it('with a cursor, answers with what came after it, or waits for the first entry it accepts', async () => {
    g = await startGateway();
    const first = await poll(g.url, `channels=${A}`);
    const cursor = first.events[0]!.data.cursor ?? '0-0';
    await publish(g.url, {
      logs: [log('b', 'other channel'), log('a', 'a1', { level: 'debug' }), log('a', 'a2')],
    });
    const ready = await poll(g.url, `channels=${A}&level=info`, { headers: { 'last-event-id': cursor } });
    expect(messages(ready)).toEqual(['a2']);
    const after = ready.events.at(-1)!.id!;

    // Nothing after `after` yet: the poll waits, and an entry published meanwhile ends the wait.
    const waiting = poll(g.url, `channels=${A}&after=${after}`);
    await publish(g.url, log('a', 'a3'));
    const woken = await waiting;
    expect(messages(woken)).toEqual(['a3']);
    expect(woken.events.filter((e) => e.event === 'log').map((e) => e.id)).toHaveLength(1);
  });

  it('starts a first poll `back` milliseconds ago by its own clock, and refuses a back that is no duration', async () => {
    let clock = 1_800_000_000_000;
    g = await startGateway({ now: () => clock });
    await publish(g.url, log('a', 'before'));
    clock += 10_000;
    await publish(g.url, { logs: [log('a', 'after 1'), log('a', 'after 2')] });
    clock += 3_000;
    const first = await poll(g.url, `channels=${A}&back=5000`);
    expect(messages(first)).toEqual(['after 1', 'after 2']);
    expect(first.events[0]!.data.cursor).toBe(`${1_800_000_000_000 + 8_000 - 1}-999999999999999`);
    const fromNow = await poll(g.url, `channels=${A}&back=0`);
    expect(messages(fromNow)).toEqual([]);
    expect((await poll(g.url, `channels=${A}&back=-1`)).status).toBe(400);
  });

  it('passes over what its filters leave out and answers after the wait with hello alone', async () => {
    g = await startGateway({ heartbeatSeconds: 1 });
    const first = await poll(g.url, `channels=${A}`);
    const cursor = first.events[0]!.data.cursor ?? '0-0';
    const started = Date.now();
    const waiting = poll(g.url, `channels=${A}&level=error&lastEventId=${cursor}`);
    await publish(g.url, log('a', 'only info'));
    const empty = await waiting;
    expect(Date.now() - started).toBeGreaterThanOrEqual(pollWaitMs(1) - 50);
    expect(empty.events.map((e) => e.event)).toEqual(['hello']);
  });

  it('reports a gap for entries gone since the cursor, and holds at most a page', async () => {
    g = await startGateway({ historyPerChannel: 2000 });
    const first = await poll(g.url, `channels=${A}`);
    const cursor = first.events[0]!.data.cursor ?? '0-0';
    await publish(g.url, { logs: Array.from({ length: 1200 }, (_, i) => log('a', `m${i}`)) });
    const page = await poll(g.url, `channels=${A}&after=${cursor}`);
    expect(messages(page)).toHaveLength(1000);
    const rest = await poll(g.url, `channels=${A}&after=${page.events.at(-1)!.id}`);
    expect(messages(rest)).toEqual(Array.from({ length: 200 }, (_, i) => `m${1000 + i}`));

    const small = await startGateway({ historyPerChannel: 2 });
    try {
      const start = (await poll(small.url, `channels=${A}&history=${A}~1`)).events[0]!.data.cursor ?? '0-0';
      await publish(small.url, { logs: ['x1', 'x2', 'x3', 'x4'].map((m) => log('a', m)) });
      const gapped = await poll(small.url, `channels=${A}&after=${start}`);
      expect(gapped.events.map((e) => e.event)).toEqual(['hello', 'gap', 'log', 'log']);
      expect(gapped.events[1]!.data).toEqual({ channel: A, missed: 2, reason: 'dropped', from: start });
    } finally {
      await small.gateway.close();
    }
  });

  it('takes the token as the stream does (header or access_token), answers HEAD without waiting', async () => {
    g = await startGateway({ auth: { subscribers: [{ token: READER, channels: ['logs:svc:*:*'] }] } });
    expect((await poll(g.url, `channels=${A}`)).status).toBe(401);
    expect((await poll(g.url, `channels=${A}&access_token=${READER}`)).status).toBe(200);
    expect((await poll(g.url, `channels=logs:other:ws:a&access_token=${READER}`)).status).toBe(403);
    const head = await fetch(`${g.url}${API_PATHS.poll}?channels=${A}&after=9999999999999-0`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${READER}` },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  });

  it('answers waiting polls when the gateway shuts down, with the shutdown retry', async () => {
    g = await startGateway({ shutdownRetryMs: 7000 });
    const cursor = (await poll(g.url, `channels=${A}`)).events[0]!.data.cursor ?? '0-0';
    const waiting = poll(g.url, `channels=${A}&after=${cursor}`);
    const gateway = g.gateway;
    await vi.waitFor(() => expect(gateway.stats().answers.open).toBe(1));
    await publish(g.url, log('b', 'not for the poll'));
    const closed = g.gateway.close();
    const answer = await waiting;
    await closed;
    g = undefined;
    expect(answer.status).toBe(200);
    expect(answer.retry).toBe(7000);
    expect(messages(answer)).toEqual([]);
  });
});

describe('GET /api/logs/poll on gateways sharing Redis', () => {
  const redis = redisDeployments('poll');

  it('wakes a poll on one gateway for an entry published on another', async () => {
    const [a, b] = await redis.deploy(2);
    const cursor = (await poll(b!.url, `channels=${A}`)).events[0]!.data.cursor ?? '0-0';
    const waiting = poll(b!.url, `channels=${A}&after=${cursor}`);
    expect((await publish(a!.url, log('a', 'via A'))).status).toBe(202);
    const answer = await waiting;
    expect(messages(answer)).toEqual(['via A']);
    const next = await poll(b!.url, `channels=${A}&history=${A}~5&after=${answer.events.at(-1)!.id}`);
    expect(
      next.events.find((e) => e.event === 'history')!.data.logs.map((e: { message: string }) => e.message),
    ).toEqual(['via A']);
    expect(messages(next)).toEqual([]);
  });
});
