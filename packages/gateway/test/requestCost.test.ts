import { connect } from 'node:net';
import { MAX_REJECTED_LISTED } from '@logs-sse/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { call, log, openStream, publish, type Started, startGateway } from './helpers';

let g: Started | undefined;
afterEach(async () => {
  await g?.gateway.close();
  g = undefined;
});

/** Publishes `count` entries to each of `channels`, in batches, round-robin so cursors interleave. */
async function fill(
  url: string,
  channels: string[],
  count: number,
  message = (c: string, i: number) => `${c}#${i}`,
) {
  for (let from = 0; from < count; from += 200) {
    const logs = [];
    for (let i = from; i < Math.min(count, from + 200); i++) {
      for (const resource of channels) logs.push(log(resource, message(resource, i)));
    }
    expect((await publish(url, { logs })).status).toBe(202);
  }
}

/** Sends raw bytes on a new connection and resolves with everything the gateway answered. */
function rawRequest(port: number, head: string, body = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head + body));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('publish answers stay small whatever the batch', () => {
  it('lists the first 100 rejected entries by index and counts the rest', async () => {
    g = await startGateway();
    const logs = Array.from({ length: 5000 }, (_, i) =>
      i === 2500 ? log('a', 'the one good entry') : { channel: 'logs:svc:ws:a', message: i },
    );
    const answer = await publish(g.url, { logs });
    expect(answer.status).toBe(202);
    expect(answer.json.accepted).toBe(1);
    expect(answer.json.rejectedCount).toBe(4999);
    expect(answer.json.rejected).toHaveLength(MAX_REJECTED_LISTED);
    expect(answer.json.rejected.map((r: { index: number }) => r.index)).toEqual(
      Array.from({ length: MAX_REJECTED_LISTED }, (_, i) => i),
    );
    expect(answer.text.length).toBeLessThan(16 * 1024);
    expect(g.gateway.stats().logs.rejected).toBe(4999);
  });

  it('bounds a refused batch the same way, inside error', async () => {
    g = await startGateway();
    const lines = Array.from({ length: 9000 }, () => '{not json').join('\n');
    const answer = await publish(g.url, lines, { contentType: 'application/x-ndjson' });
    expect(answer.status).toBe(400);
    expect(answer.json.error.code).toBe('invalid_json');
    expect(answer.json.error.rejected).toHaveLength(MAX_REJECTED_LISTED);
    expect(answer.json.error.rejectedCount).toBe(9000);
    expect(answer.text.length).toBeLessThan(16 * 1024);
  });

  it('refuses a body of more than maxEntriesPerPublish entries whole, before validating any', async () => {
    g = await startGateway({ maxEntriesPerPublish: 50 });
    for (const [body, contentType] of [
      [JSON.stringify({ logs: Array.from({ length: 51 }, () => ({})) }), 'application/json'],
      [JSON.stringify(Array.from({ length: 51 }, (_, i) => log('a', String(i)))), 'application/json'],
      [Array.from({ length: 51 }, () => 'x').join('\n'), 'application/x-ndjson'],
    ] as const) {
      const answer = await publish(g.url, body, { contentType });
      expect(answer.status).toBe(413);
      expect(answer.json).toEqual({
        error: {
          code: 'payload_too_large',
          message: 'the body holds 51 entries, more than the 50 one request may hold; send smaller batches',
        },
      });
    }
    // Blank NDJSON lines are not entries.
    const fifty = `${Array.from({ length: 50 }, (_, i) => JSON.stringify(log('a', String(i)))).join('\n\n')}\n`;
    expect((await publish(g.url, fifty, { contentType: 'application/x-ndjson' })).json.accepted).toBe(50);
    expect(g.gateway.stats().logs.rejected).toBe(0);
  });

  it('refuses a body nested deeper than any entry may be without parsing it', async () => {
    g = await startGateway();
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const answer = await publish(g.url, deep);
    expect(answer.status).toBe(400);
    expect(answer.json.error.code).toBe('invalid_entry');
    expect(answer.json.error.message).toBe(
      "the body nests deeper than 128 levels; an entry's fields may nest 32",
    );
    // An entry a little too deep is refused alone, by index, and the rest of its batch is stored.
    const deepField = JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`);
    const mixed = await publish(g.url, { logs: [log('a', 'kept'), log('a', 'too deep', { deepField })] });
    expect([mixed.status, mixed.json.accepted, mixed.json.rejected[0].index]).toEqual([202, 1, 1]);
    // Brackets inside strings are text, not nesting.
    const brackets = await publish(g.url, log('a', '['.repeat(10_000)));
    expect(brackets.status).toBe(202);
  });

  it('refuses a token that may publish nowhere before reading its body, and closes the connection', async () => {
    const reader = 'subscriber-token-0123456789';
    g = await startGateway({ auth: { subscribers: [{ token: reader, channels: ['logs:*:*:*'] }] } });
    const port = Number(new URL(g.url).port);
    // The body announced is 50 MB and only a few bytes of it are ever sent: the answer must not wait for it.
    const answer = await rawRequest(
      port,
      'POST /api/logs/publish HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n' +
        `authorization: Bearer ${reader}\r\ncontent-length: 52428800\r\n\r\n`,
      '{"logs":[',
    );
    expect(answer.startsWith('HTTP/1.1 403 Forbidden\r\n')).toBe(true);
    expect(answer.toLowerCase()).toContain('\r\nconnection: close\r\n');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { code: 'forbidden', message: 'this token may not publish: it has no services' },
    });
  });
});

describe('long answers are read a page at a time and written as the reader takes them', () => {
  it('/history returns every entry of a pattern across pages, in cursor order, with tail per channel', async () => {
    g = await startGateway({ historyPerChannel: 2000 });
    await fill(g.url, ['a', 'b', 'c'], 1500);
    const all = await call(`${g.url}/api/logs/history?channel=logs:svc:ws:*`);
    expect(all.status).toBe(200);
    expect(all.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const ids: string[] = all.json.logs.map((e: { id: string }) => e.id);
    expect(ids).toHaveLength(4500);
    expect([...ids].sort(compareIds)).toEqual(ids);
    expect(new Set(ids).size).toBe(4500);
    // Round-robin publishing: the entries alternate a, b, c.
    expect(all.json.logs.slice(0, 4).map((e: { message: string }) => e.message)).toEqual([
      'a#0',
      'b#0',
      'c#0',
      'a#1',
    ]);

    const tail = await call(`${g.url}/api/logs/history?channel=logs:svc:ws:*&tail=1200`);
    const messages: string[] = tail.json.logs.map((e: { message: string }) => e.message);
    expect(messages).toHaveLength(3600);
    expect(messages.slice(0, 3)).toEqual(['a#300', 'b#300', 'c#300']);
    expect(messages.at(-1)).toBe('c#1499');

    const filtered = await call(`${g.url}/api/logs/history?channel=logs:svc:ws:*&q=%23149`);
    const numbers = [149, 1490, 1491, 1492, 1493, 1494, 1495, 1496, 1497, 1498, 1499];
    expect(filtered.json.logs.map((e: { message: string }) => e.message)).toEqual(
      numbers.flatMap((n) => ['a', 'b', 'c'].map((c) => `${c}#${n}`)),
    );
  });

  it('a follow=false replay crosses pages and counts everything it sent', async () => {
    g = await startGateway({ historyPerChannel: 5000 });
    await fill(g.url, ['a', 'b'], 1600);
    const stream = await openStream(g.url, 'channels=logs:svc:ws:*&follow=false&tail=5000');
    await stream.untilEnd();
    const logs = stream.data('log');
    expect(logs).toHaveLength(3200);
    const entryIds = stream.events.filter((e) => e.event !== 'hello').map((e) => e.id);
    expect(entryIds.filter(Boolean)).toEqual(logs.map((e) => e.id));
    expect(stream.data('done')).toEqual([
      { type: 'done', reason: 'end_of_history', channels: ['logs:svc:ws:*'], count: 3200 },
    ]);
  });

  it('a resumed stream replays across pages while entries keep coming: each arrives once, in order', async () => {
    g = await startGateway({ historyPerChannel: 10_000 });
    await fill(g.url, ['a', 'b'], 1500);
    const first = (await call(`${g.url}/api/logs/history?channel=logs:svc:ws:a&tail=10000`)).json.logs[0].id;
    const stream = await openStream(g.url, 'channels=logs:svc:ws:*', { 'last-event-id': first });
    // Published while the 2,999 older entries are being replayed.
    const url = g.url;
    const live = (async () => {
      for (let i = 0; i < 10; i++) {
        const logs = Array.from({ length: 50 }, (_, j) => log('c', `live#${i * 50 + j}`));
        expect((await publish(url, { logs })).status).toBe(202);
      }
    })();
    await live;
    await stream.untilEvents('log', 2999 + 500);
    const got = stream.data('log');
    expect(got).toHaveLength(3499);
    expect([...got.map((e) => e.id)].sort(compareIds)).toEqual(got.map((e) => e.id));
    expect(new Set(got.map((e) => e.id)).size).toBe(3499);
    expect(got.filter((e) => e.channel === 'logs:svc:ws:c').map((e) => e.message)).toEqual(
      Array.from({ length: 500 }, (_, i) => `live#${i}`),
    );
    stream.close();
  });

  it('a reader that stops reading holds a bounded buffer, shows in the stats and is cut off', async () => {
    g = await startGateway({
      historyPerChannel: 20_000,
      maxBufferedBytes: 64 * 1024,
      stalledReaderTimeoutMs: 300,
    });
    const padding = 'x'.repeat(400);
    await fill(g.url, ['a', 'b'], 10_000, (c, i) => `${c}#${i} ${padding}`);
    const port = Number(new URL(g.url).port);
    // A client that asks for about 9 MB and reads nothing.
    const socket = connect(port, '127.0.0.1');
    socket.pause();
    socket.write('GET /api/logs/history?channel=logs:svc:ws:* HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
    socket.on('error', () => {});
    // While it stalls, the answer is open and holds only what the sockets buffer, not the whole history.
    const gateway = g.gateway;
    await turnsUntil(() => gateway.stats().answers.open === 1);
    expect(gateway.stats().answers.bufferedBytes).toBeLessThan(2 * 1024 * 1024);
    await turnsUntil(() => gateway.stats().answers.stalled === 1);
    await turnsUntil(() => gateway.stats().answers.open === 0);
    expect(gateway.stats().answers).toEqual({ open: 0, bufferedBytes: 0, stalled: 1 });
    socket.destroy();
    const metrics = await call(`${g.url}/metrics`);
    expect(metrics.text).toContain('\nlogs_sse_answers_stalled_total 1\n');
    expect(metrics.text).toContain('\nlogs_sse_answers_open 0\n');
  });

  it('/health answers while a costly history request is still being served', async () => {
    g = await startGateway({ historyPerChannel: 2000, maxHistoryBytes: 512 * 1024 * 1024 });
    const channels = Array.from({ length: 40 }, (_, i) => `r${i}`);
    await fill(g.url, channels, 1500);
    // 60,000 entries over 40 channels, filtered by a text that matches none: all work, no answer.
    const costly = call(`${g.url}/api/logs/history?channel=logs:*:*:*&q=nothing-matches-this`).then(
      () => 'history',
    );
    // Once the answer has begun, most of the work is still ahead: /health must not wait for it.
    const gateway = g.gateway;
    await turnsUntil(() => gateway.stats().answers.open === 1);
    const health = await Promise.race([call(`${g.url}/health`).then(() => 'health'), costly]);
    expect(health).toBe('health');
    expect((await costly) === 'history').toBe(true);
  });
});

/** Lets the event loop turn until `condition` holds: the gateway runs in this process. */
async function turnsUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am - bm || as - bs;
}
