/**
 * docs/protocol.md as a client or publisher in another language reads it: each `describe` is a section of
 * the document, each test one statement of it, checked over plain HTTP against a real gateway.
 */
import { readFileSync } from 'node:fs';
import { createServer, type OutgoingHttpHeaders, request } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createGateway, type Gateway, type GatewayOptions } from '@logs-sse/gateway';
import { afterEach, describe, expect, it } from 'vitest';
import { call, log, openStream, publish, startGateway } from './helpers';

const gateways: Gateway[] = [];

afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
});

/** A gateway on a free loopback port, closed after the test. */
async function gatewayUrl(options: GatewayOptions = {}): Promise<string> {
  const { gateway, url } = await startGateway(options);
  gateways.push(gateway);
  return url;
}

/** What a client sees of one refused entry; messages are for people, so only their presence is checked. */
function refused(index: number, code: string) {
  return { index, error: { code, message: expect.any(String) } };
}

async function historyOf(url: string, channel: string): Promise<string[]> {
  return (await kept(url, channel)).map((entry) => entry.message);
}

/** The cursors and messages of a channel's kept entries, from `/api/logs/history`. */
async function kept(url: string, channel: string): Promise<{ id: string; message: string }[]> {
  const answer = await call(`${url}/api/logs/history?channel=${channel}`);
  return answer.json.logs;
}

/** Opens a stream with `follow=false` and waits for its end. */
async function wholeStream(url: string, query: string, headers: Record<string, string> = {}) {
  const stream = await openStream(url, `${query}&follow=false`, headers);
  if (stream.status === 200) await stream.untilEnd();
  return stream;
}

/** A GET whose headers are sent exactly as given, repeated ones included; for answers that are not streams. */
function rawGet(url: string, headers: OutgoingHttpHeaders): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** One TCP connection spoken to in plain HTTP/1.1, as a client without an HTTP library would. */
class Connection {
  text = '';
  closed = false;
  private readonly socket;
  private waiters: (() => void)[] = [];

  constructor(url: string) {
    const { port, hostname } = new URL(url);
    this.socket = connect(Number(port), hostname);
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => {
      this.text += chunk;
      this.wake();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    this.socket.on('error', () => {});
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Resolves once the bytes received so far hold `text`, counted from `from`. */
  async until(text: string, from = 0): Promise<void> {
    while (!this.text.includes(text, from)) {
      if (this.closed) throw new Error(`connection closed before ${JSON.stringify(text)}: ${this.text}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async untilClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

describe('protocol.md § POST /api/logs/publish', () => {
  it('Refused entries: a 202 lists rejected at the top level, an error answer inside error', async () => {
    const url = await gatewayUrl();
    const some = await publish(url, [log('a', 'kept'), { channel: 'logs:svc:ws:a' }]);
    expect(some.status).toBe(202);
    expect(some.json).toEqual({ accepted: 1, rejected: [refused(1, 'invalid_entry')], rejectedCount: 1 });

    const none = await publish(url, [{ channel: 'logs:svc', message: 'x' }, { channel: 'logs:svc:ws:a' }]);
    expect(none.status).toBe(400);
    expect(none.json).toEqual({
      error: {
        code: 'invalid_entry',
        message: expect.any(String),
        rejected: [refused(0, 'invalid_channel'), refused(1, 'invalid_entry')],
        rejectedCount: 2,
      },
    });
    expect(none.json.rejected).toBeUndefined();

    // A body refused as a whole names no entry.
    const notJson = await publish(url, '{"channel":');
    expect(notJson.status).toBe(400);
    expect(notJson.json).toEqual({ error: { code: 'invalid_json', message: expect.any(String) } });
  });

  it('Refused entries: one code shared by every entry is the answer, different codes are invalid_entry', async () => {
    const url = await gatewayUrl({
      auth: { publishers: [{ token: 'publisher-svc-0123456789', services: ['svc'] }] },
    });
    const token = 'publisher-svc-0123456789';
    const other = { channel: 'logs:other:ws:a', message: 'not ours' };
    const badChannel = { channel: 'logs:svc:ws', message: 'three segments' };

    const forbidden = await publish(url, [other, other], { token });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error).toEqual({
      code: 'forbidden',
      message: expect.any(String),
      rejected: [refused(0, 'forbidden'), refused(1, 'forbidden')],
      rejectedCount: 2,
    });

    const channels = await publish(url, [badChannel, badChannel], { token });
    expect([channels.status, channels.json.error.code]).toEqual([400, 'invalid_channel']);

    const mixed = await publish(url, [other, badChannel], { token });
    expect(mixed.status).toBe(400);
    expect(mixed.json.error).toEqual({
      code: 'invalid_entry',
      message: expect.any(String),
      rejected: [refused(0, 'forbidden'), refused(1, 'invalid_channel')],
      rejectedCount: 2,
    });

    for (const empty of ['[]', '{"logs": []}']) {
      const answer = await publish(url, empty, { token });
      expect([answer.status, answer.json.error.code, answer.json.error.rejected]).toEqual([
        400,
        'invalid_entry',
        [],
      ]);
    }
  });

  it('NDJSON: a line that is not JSON is one rejected entry (invalid_json), the others are published', async () => {
    const url = await gatewayUrl();
    const line = (message: string) => JSON.stringify(log('a', message));
    const body = `${line('first')}\n\n{"channel": "logs:svc:ws:a", \r\n${line('third')}\r\n`;
    const answer = await publish(url, body, { contentType: 'application/x-ndjson' });
    expect(answer.status).toBe(202);
    // The blank line is not an entry: the broken line is entry 1, on line 3.
    expect(answer.json).toEqual({ accepted: 2, rejected: [refused(1, 'invalid_json')], rejectedCount: 1 });
    expect(await historyOf(url, 'logs:svc:ws:a')).toEqual(['first', 'third']);

    const allBroken = await publish(url, '{\n[\n', { contentType: 'application/x-ndjson' });
    expect(allBroken.status).toBe(400);
    expect(allBroken.json.error).toEqual({
      code: 'invalid_json',
      message: expect.any(String),
      rejected: [refused(0, 'invalid_json'), refused(1, 'invalid_json')],
      rejectedCount: 2,
    });
  });

  it('Content-Encoding: gzip on a body that is not gzip is a 400 invalid_json for the whole body', async () => {
    const url = await gatewayUrl();
    const entry = JSON.stringify(log('a', 'plain'));
    const notGzip = await publish(url, entry, { headers: { 'content-encoding': 'gzip' } });
    expect(notGzip.status).toBe(400);
    expect(notGzip.json).toEqual({ error: { code: 'invalid_json', message: 'the body is not valid gzip' } });

    const truncated = gzipSync(entry).subarray(0, 12);
    const cut = await publish(url, truncated, { headers: { 'content-encoding': 'gzip' } });
    expect([cut.status, cut.json.error.code]).toEqual([400, 'invalid_json']);

    const deflate = await publish(url, entry, { headers: { 'content-encoding': 'deflate' } });
    expect([deflate.status, deflate.json.error.code]).toEqual([415, 'unsupported_media_type']);
    expect(await historyOf(url, 'logs:svc:ws:a')).toEqual([]);

    const gzipped = await publish(url, gzipSync(entry), { headers: { 'content-encoding': 'GZIP' } });
    expect(gzipped.status).toBe(202);
    expect(await historyOf(url, 'logs:svc:ws:a')).toEqual(['plain']);
  });
});

describe('protocol.md § POST /api/logs/publishers/heartbeat', () => {
  it('answers each documented error with its status and code, 401 and a reader 403 before the body', async () => {
    const url = await gatewayUrl({
      auth: {
        publishers: [{ token: 'publisher-svc-0123456789', services: ['svc'] }],
        subscribers: [{ token: 'reader-all-0123456789', channels: ['logs:*:*:*'] }],
      },
    });
    const heartbeat = async (body: string | Buffer, token?: string, headers: Record<string, string> = {}) => {
      const answer = await call(`${url}/api/logs/publishers/heartbeat`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token && { authorization: `Bearer ${token}` }),
          ...headers,
        },
        body: typeof body === 'string' ? body : new Uint8Array(body),
      });
      return [answer.status, answer.json?.error.code, answer.headers.get('connection')];
    };
    const deep = JSON.parse(`${'{"a":'.repeat(33)}1${'}'.repeat(33)}`);
    const ok = JSON.stringify({ publisherId: 'etl-1', service: 'svc', stats: { sent: 1 } });

    // JSON, a +json type or none; anything else is refused after the token.
    expect(await heartbeat(ok, 'publisher-svc-0123456789', { 'content-type': 'text/plain' })).toEqual([
      415,
      'unsupported_media_type',
      'keep-alive',
    ]);
    expect(await heartbeat(ok, undefined, { 'content-type': 'text/plain' })).toEqual([
      401,
      'unauthorized',
      'keep-alive',
    ]);
    expect(
      await heartbeat(ok, 'publisher-svc-0123456789', { 'content-type': 'application/vnd.stats+json' }),
    ).toEqual([204, undefined, 'keep-alive']);
    expect(await heartbeat(gzipSync(ok), 'publisher-svc-0123456789', { 'content-encoding': 'gzip' })).toEqual(
      [204, undefined, 'keep-alive'],
    );
    const keepAlive = (status: number, code: string) => [status, code, 'keep-alive'];
    expect(await heartbeat('{', 'publisher-svc-0123456789')).toEqual(keepAlive(400, 'invalid_json'));
    expect(await heartbeat(ok, 'publisher-svc-0123456789', { 'content-encoding': 'gzip' })).toEqual(
      keepAlive(400, 'invalid_json'),
    );
    for (const bad of [
      [],
      {},
      { publisherId: '' },
      { publisherId: 'x'.repeat(129) },
      { publisherId: 'café' },
      { publisherId: 'p', service: 'a:b' },
      { publisherId: 'p', stats: null },
      { publisherId: 'p', stats: [1] },
      { publisherId: 'p', stats: deep },
    ]) {
      expect(await heartbeat(JSON.stringify(bad), 'publisher-svc-0123456789')).toEqual(
        keepAlive(400, 'invalid_entry'),
      );
    }
    expect(await heartbeat('{', undefined)).toEqual(keepAlive(401, 'unauthorized'));
    expect(await heartbeat('{', 'unknown')).toEqual(keepAlive(401, 'unauthorized'));
    // A token that may publish nowhere is refused before its body is read, and the connection closed.
    expect(await heartbeat('{', 'reader-all-0123456789')).toEqual([403, 'forbidden', 'close']);
    expect(await heartbeat('{"publisherId":"p"}', 'reader-all-0123456789')).toEqual([
      403,
      'forbidden',
      'close',
    ]);
    expect(await heartbeat('{"publisherId":"p","service":"other"}', 'publisher-svc-0123456789')).toEqual(
      keepAlive(403, 'forbidden'),
    );
    expect(await heartbeat(ok, 'publisher-svc-0123456789', { 'content-encoding': 'br' })).toEqual(
      keepAlive(415, 'unsupported_media_type'),
    );
    const sized = (bytes: number) => {
      const shell = JSON.stringify({ publisherId: 'p', stats: { pad: '' } });
      return JSON.stringify({ publisherId: 'p', stats: { pad: 'x'.repeat(bytes - shell.length) } });
    };
    expect(await heartbeat(sized(16384), 'publisher-svc-0123456789')).toEqual([204, undefined, 'keep-alive']);
    expect(await heartbeat(sized(16385), 'publisher-svc-0123456789')).toEqual([
      413,
      'payload_too_large',
      'close',
    ]);
    const bomb = gzipSync(JSON.stringify({ publisherId: 'p', stats: { pad: ' '.repeat(20_000) } }));
    expect(bomb.length).toBeLessThan(1024);
    expect(await heartbeat(bomb, 'publisher-svc-0123456789', { 'content-encoding': 'gzip' })).toEqual([
      413,
      'payload_too_large',
      'close',
    ]);

    const get = await call(`${url}/api/logs/publishers/heartbeat`, {
      headers: { authorization: 'Bearer pub-svc' },
    });
    expect([get.status, get.json.error.code, get.headers.get('allow')]).toEqual([
      405,
      'method_not_allowed',
      'POST',
    ]);
  });
});

describe('protocol.md § GET /api/logs/stream', () => {
  it('level and q filter log entries only: status and done pass, live, replayed and in /history', async () => {
    const url = await gatewayUrl();
    const live = await openStream(url, 'channels=logs:svc:ws:a&level=error&q=timeout');
    await publish(url, [
      log('a', 'connect timeout', { level: 'debug' }),
      { type: 'status', channel: 'logs:svc:ws:a', phase: 'active', message: 'up' },
      log('a', 'disk full', { level: 'error' }),
      log('a', 'request TIMEOUT', { level: 'error' }),
      { type: 'done', channel: 'logs:svc:ws:a' },
    ]);
    const expected = ['status up', 'log request TIMEOUT', 'done '];
    const shown = (events: { event: string; data: string }[]) =>
      events.map((e) => `${e.event} ${JSON.parse(e.data).message ?? ''}`);
    await live.untilEvents('done', 1);
    expect(shown(live.events.slice(1))).toEqual(expected);
    live.close();

    const replay = await wholeStream(url, 'channels=logs:svc:ws:a&level=error&q=timeout&tail=10');
    expect(shown(replay.events.slice(1, -1))).toEqual(expected);
    const history = await call(`${url}/api/logs/history?channel=logs:svc:ws:a&level=fatal&q=nothing`);
    expect(history.json.logs.map((e: { type: string }) => e.type)).toEqual(['status', 'done']);
  });

  it('overlapping channels and patterns deliver each entry once, history events once per item', async () => {
    const url = await gatewayUrl();
    const stream = await openStream(url, 'channels=logs:svc:ws:c,logs:svc:*:c,logs:*:ws:*,logs:svc:ws:c');
    expect(JSON.parse(stream.events[0]!.data).channels).toEqual([
      'logs:svc:ws:c',
      'logs:svc:*:c',
      'logs:*:ws:*',
    ]);
    await publish(url, log('c', 'matched three times'));
    // Matched by one pattern only: once it is here, a second copy of the first would have come before it.
    await publish(url, log('d', 'marker'));
    await stream.untilEvents('log', 2);
    expect(stream.data('log').map((e) => e.message)).toEqual(['matched three times', 'marker']);
    const [first] = stream.events.filter((e) => e.event === 'log');
    stream.close();

    const resumed = await wholeStream(url, 'channels=logs:svc:ws:c,logs:svc:*:c,logs:*:ws:*', {
      'last-event-id': '0-0',
    });
    expect(resumed.data('log').map((e) => e.message)).toEqual(['matched three times', 'marker']);

    const history = await wholeStream(
      url,
      'channels=logs:svc:ws:c,logs:svc:*:c&history=logs:svc:ws:c~5,logs:svc:*:c~5',
    );
    expect(history.data('history').map((h) => [h.channel, h.logs.map((e: { id: string }) => e.id)])).toEqual([
      ['logs:svc:ws:c', [first!.id]],
      ['logs:svc:*:c', [first!.id]],
    ]);
  });
});

describe('protocol.md § Since', () => {
  it('takes a cursor, epoch milliseconds or an ISO time with an offset, and compares times with the cursor', async () => {
    const url = await gatewayUrl({ historyPerChannel: 2 });
    // An old timestamp of the publisher's: since reads the time the gateway stored the entry.
    await publish(url, [
      log('a', 'one'),
      log('a', 'two'),
      log('a', 'three', { timestamp: '2001-01-01T00:00:00Z' }),
    ]);
    const [two, three] = await kept(url, 'logs:svc:ws:a');
    const ms = Number(three!.id.split('-')[0]);
    const messages = async (since: string) => {
      const answer = await call(`${url}/api/logs/history?channel=logs:svc:ws:a&since=${since}`);
      return answer.status === 200
        ? answer.json.logs.map((e: { message: string }) => e.message)
        : answer.json;
    };
    const iso = (at: number) => new Date(at).toISOString();
    const plusTwoHours = iso(ms + 2 * 3600_000).replace('Z', '+02:00');

    expect(await messages(two!.id)).toEqual(['three']);
    expect(await messages(String(ms))).toContain('three');
    expect(await messages(String(ms + 1))).toEqual([]);
    expect(await messages(iso(ms))).toContain('three');
    expect(await messages(iso(ms + 1))).toEqual([]);
    expect(await messages(encodeURIComponent(plusTwoHours))).toContain('three');
    expect(await messages(encodeURIComponent(plusTwoHours.replace(/\+02:00$/, '+0200')))).toContain('three');
    const refused = { error: { code: 'invalid_query', message: expect.any(String) } };
    for (const since of [
      plusTwoHours, // the + unescaped reads as a space
      iso(ms).replace('Z', ''),
      iso(ms).slice(0, 10),
      iso(ms).toLowerCase(),
      iso(ms).replace('T', '%20'),
      '-1',
      `${ms}.5`,
      '1234567890123456',
    ]) {
      expect(await messages(since)).toEqual(refused);
    }

    // The stream reads since alike; only a cursor reports the entry the ring pushed out.
    const byTime = await wholeStream(url, 'channels=logs:svc:ws:a&since=1');
    expect([byTime.data('gap'), byTime.data('log').map((e) => e.message)]).toEqual([[], ['two', 'three']]);
    const byCursor = await wholeStream(url, 'channels=logs:svc:ws:a&since=0-0');
    expect(byCursor.data('gap')).toEqual([
      { channel: 'logs:svc:ws:a', missed: 1, from: '0-0', reason: 'dropped' },
    ]);
    const noOffset = await openStream(url, `channels=logs:svc:ws:a&since=${iso(ms).replace('Z', '')}`);
    expect([noOffset.status, JSON.parse(noOffset.body).error.code]).toEqual([400, 'invalid_query']);
  });
});

describe('protocol.md § Events', () => {
  it('hello carries connectionId, heartbeatSeconds, channels and cursor, as the gateway README shows it', async () => {
    const url = await gatewayUrl();
    const empty = await openStream(url, 'channels=logs:svc:ws:a,logs:svc:*:*');
    expect(JSON.parse(empty.events[0]!.data)).toEqual({
      connectionId: expect.any(String),
      heartbeatSeconds: 15,
      channels: ['logs:svc:ws:a', 'logs:svc:*:*'],
      cursor: null,
      epoch: expect.stringMatching(/^\d+-0$/),
    });
    empty.close();

    await publish(url, log('a', 'one'));
    const stream = await openStream(url, 'channels=logs:svc:ws:a&tail=1');
    await stream.untilEvents('log', 1);
    const hello = JSON.parse(stream.events[0]!.data);
    expect(hello.cursor).toBe(stream.events[1]!.id);
    stream.close();

    const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md'), 'utf8');
    const example = /^event: hello\ndata: (.*)$/m.exec(readme);
    expect(example).not.toBeNull();
    expect(Object.keys(JSON.parse(example![1]!))).toEqual(Object.keys(hello));
  });

  it('a gap names the concrete channel, while the history event names the pattern as requested', async () => {
    const url = await gatewayUrl({ historyPerChannel: 2 });
    await publish(url, { channel: 'logs:other:ws:z', message: 'before' });
    const [before] = await kept(url, 'logs:other:ws:z');
    const from = before!.id;
    await publish(url, [
      { channel: 'logs:svc:ws1:b', message: 'one-1' },
      { channel: 'logs:svc:ws1:b', message: 'one-2' },
      { channel: 'logs:svc:ws1:b', message: 'one-3' },
      { channel: 'logs:svc:ws2:b', message: 'two-1' },
      { channel: 'logs:svc:ws2:b', message: 'two-2' },
      { channel: 'logs:svc:ws2:b', message: 'two-3' },
      { channel: 'logs:svc:ws2:b', message: 'two-4' },
    ]);

    const resumed = await wholeStream(url, 'channels=logs:svc:*:b', { 'last-event-id': from });
    expect(resumed.data('gap')).toEqual([
      { channel: 'logs:svc:ws1:b', missed: 1, from, reason: 'dropped' },
      { channel: 'logs:svc:ws2:b', missed: 2, from, reason: 'dropped' },
    ]);

    // One history event holds at most historyPerChannel (2) entries: the two of ws1 it leaves out are
    // added to ws1's gap, still a gap of the concrete channel.
    const history = await wholeStream(url, `channels=logs:svc:*:b&history=logs:svc:*:b~${from}`);
    expect(history.events.map((e) => e.event)).toEqual(['hello', 'gap', 'gap', 'history', 'done']);
    expect(history.data('gap')).toEqual([
      { channel: 'logs:svc:ws1:b', missed: 3, from, reason: 'dropped' },
      { channel: 'logs:svc:ws2:b', missed: 2, from, reason: 'dropped' },
    ]);
    const [event] = history.data('history');
    expect(event.channel).toBe('logs:svc:*:b');
    expect(event.logs.map((e: { channel: string; message: string }) => [e.channel, e.message])).toEqual([
      ['logs:svc:ws2:b', 'two-3'],
      ['logs:svc:ws2:b', 'two-4'],
    ]);
  });

  it('sends U+2028, U+2029 and U+0085 raw inside the one data line: split at CR and LF only', async () => {
    const url = await gatewayUrl();
    const message = 'a\u2028b\u2029c\u0085d\u000be\r\nf';
    await publish(url, log('a', message));
    const stream = await wholeStream(url, 'channels=logs:svc:ws:a');
    // Split at CR and LF only, as SSE says: the entry comes back whole.
    expect(stream.data('log').map((e) => e.message)).toEqual([message]);

    const line = stream.body.split(/\r\n|\r|\n/).find((l) => l.startsWith('data: {"id"'))!;
    expect(line).toContain('"message":"a\u2028b\u2029c\u0085d\\u000be\\r\\nf"');
    expect([...Buffer.from(line)].map((b) => b.toString(16)).join(' ')).toContain('e2 80 a8');
    // Split at every Unicode line break, as Python's str.splitlines() does, and the JSON is cut.
    const unicodeLines = stream.body.split(/\r\n|[\n\v\f\r\x1c-\x1e\u0085\u2028\u2029]/);
    const cut = unicodeLines.find((l) => l.startsWith('data: {"id"'))!;
    expect(cut.endsWith('"message":"a')).toBe(true);
    expect(() => JSON.parse(cut.slice('data: '.length))).toThrow();
  });
});

describe('protocol.md § History events', () => {
  it('follow=false ends the response after the end-of-history event and keeps the connection for the next request', async () => {
    const url = await gatewayUrl();
    await publish(url, log('a', 'kept'));
    const connection = new Connection(url);
    connection.send(
      'GET /api/logs/stream?channels=logs:svc:ws:a&follow=false HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    );
    await connection.until('\r\n0\r\n\r\n');
    const headEnd = connection.text.indexOf('\r\n\r\n');
    const head = connection.text.slice(0, headEnd);
    const body = connection.text.slice(headEnd + 4);
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head.toLowerCase()).toContain('\r\ntransfer-encoding: chunked');
    expect(head.toLowerCase()).toContain('\r\nconnection: keep-alive');
    expect(body).toMatch(/event: done\ndata: \{"type":"done","reason":"end_of_history".*\n\n\r\n0\r\n\r\n$/s);
    expect(body).not.toContain(': heartbeat');
    expect(connection.closed).toBe(false);

    const next = connection.text.length;
    connection.send('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await connection.until('{"status":"ok"}', next);
    expect(connection.text.slice(next)).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    connection.destroy();

    for (const follow of ['yes', 'no', 'False']) {
      const refused = await call(`${url}/api/logs/stream?channels=logs:svc:ws:a&follow=${follow}`);
      expect([refused.status, refused.json.error.code]).toEqual([400, 'invalid_query']);
    }
    const zero = await wholeStream(url, 'channels=logs:svc:ws:a&follow=0&tail=1');
    expect(zero.events.map((e) => e.event)).toEqual(['hello', 'log', 'done']);
  });
});

describe('protocol.md § Resuming', () => {
  it('the resume cursor: header before query; empty, malformed, doubled and future cursors as documented', async () => {
    const url = await gatewayUrl({ historyPerChannel: 2 });
    await publish(url, [log('a', 'one'), log('a', 'two'), log('a', 'three')]);
    const [two, three] = await kept(url, 'logs:svc:ws:a');
    const stream = `${url}/api/logs/stream?channels=logs:svc:ws:a&follow=false`;
    const replayed = async (query: string, headers: Record<string, string> = {}) => {
      const reader = await wholeStream(url, `channels=logs:svc:ws:a&tail=1${query}`, headers);
      return reader.events
        .slice(1, -1)
        .map((e) => (e.event === 'log' ? JSON.parse(e.data).message : e.event));
    };
    const malformed = { status: 400, body: expect.stringContaining('"code":"invalid_query"') };

    // A resume: entries after the cursor; tail is ignored.
    expect(await replayed('', { 'last-event-id': two!.id })).toEqual(['three']);
    expect(await replayed(`&lastEventId=${two!.id}`)).toEqual(['three']);
    // Header and query: the header wins, even a malformed or empty one.
    expect(await replayed('&lastEventId=nonsense', { 'last-event-id': two!.id })).toEqual(['three']);
    expect(await rawGet(`${stream}&lastEventId=${two!.id}`, { 'last-event-id': 'nonsense' })).toEqual(
      malformed,
    );
    expect(await replayed(`&lastEventId=0-0`, { 'last-event-id': '' })).toEqual(['three']);
    // Empty: a new stream, where tail applies (tail=1: only the newest entry).
    expect(await replayed('&lastEventId=')).toEqual(['three']);
    expect(await replayed('', { 'last-event-id': ' ' })).toEqual(['three']);
    // Spaces around a header value do not count.
    expect(await replayed('', { 'last-event-id': ` ${two!.id} ` })).toEqual(['three']);
    // Malformed, or doubled.
    for (const cursor of [
      'nonsense',
      '12',
      '1-2-3',
      '-1-0',
      '1234567890123456-0',
      `${two!.id},${three!.id}`,
    ]) {
      expect(await rawGet(stream, { 'last-event-id': cursor })).toEqual(malformed);
      expect(await rawGet(`${stream}&lastEventId=${encodeURIComponent(cursor)}`, {})).toEqual(malformed);
    }
    expect(await rawGet(stream, { 'last-event-id': [two!.id, three!.id] })).toEqual(malformed);
    expect(await replayed(`&lastEventId=${two!.id}&lastEventId=nonsense`)).toEqual(['three']);
    expect(await rawGet(`${stream}&lastEventId=nonsense&lastEventId=${two!.id}`, {})).toEqual(malformed);
    // The cursor before every kept entry reports the one the ring dropped.
    expect(await replayed('', { 'last-event-id': '0-0' })).toEqual(['gap', 'two', 'three']);

    // In the future: nothing replayed, no gap, then live entries whatever their cursors.
    const future = '99999999999999-0';
    const ended = await wholeStream(url, 'channels=logs:svc:ws:a', { 'last-event-id': future });
    expect(ended.events.map((e) => e.event)).toEqual(['hello', 'done']);
    expect(ended.data('done')[0].count).toBe(0);
    const live = await openStream(url, 'channels=logs:svc:ws:a', { 'last-event-id': future });
    await publish(url, log('a', 'four'));
    await live.untilEvents('log', 1);
    expect(live.data('log').map((e) => e.message)).toEqual(['four']);
    expect(live.events.map((e) => e.event)).toEqual(['hello', 'log']);
    live.close();
  });
});

describe('protocol.md § Shutdown', () => {
  it('ends each live stream with retry: 250 and refuses new connections at once', async () => {
    const { gateway, url } = await startGateway();
    const stream = await openStream(url, 'channels=logs:svc:ws:a');
    const raw = new Connection(url);
    raw.send('GET /api/logs/stream?channels=logs:svc:ws:a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await raw.until('event: hello');

    const closing = gateway.close();
    const refused = await fetch(`${url}/health`).then(
      () => 'answered',
      (error: { cause?: { code?: string } }) => error.cause?.code,
    );
    expect(refused).toBe('ECONNREFUSED');
    await stream.untilEnd();
    expect(stream.events.map((e) => e.event)).toEqual(['hello']);
    expect(stream.retry).toBe(250);
    await raw.untilClosed();
    expect(raw.text.endsWith('\r\nretry: 250\n\n\r\n0\r\n\r\n')).toBe(true);
    await closing;
  });

  it('closes idle keep-alive connections unanswered; answers requests in flight, streams behind them 503', async () => {
    const { gateway, url } = await startGateway();
    const idle = new Connection(url);
    idle.send('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await idle.until('{"status":"ok"}');
    const idleAnswered = idle.text.length;

    const busy = new Connection(url);
    const body = JSON.stringify(log('a', 'in flight'));
    busy.send(
      `POST /api/logs/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
    );
    // The gateway is handling this request before it starts closing.
    await busy.until('100 Continue');
    const closing = gateway.close();
    busy.send(`${body}GET /api/logs/stream?channels=logs:svc:ws:a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);

    await idle.untilClosed();
    expect(idle.text.length).toBe(idleAnswered);
    await busy.untilClosed();
    const answers = busy.text.split(/(?=HTTP\/1\.1 )/);
    expect(answers.map((a) => a.split('\r\n')[0])).toEqual([
      'HTTP/1.1 100 Continue',
      'HTTP/1.1 202 Accepted',
      'HTTP/1.1 503 Service Unavailable',
    ]);
    expect(answers[1]).toContain('{"accepted":1,"rejected":[],"rejectedCount":0}');
    expect(answers[1]!.toLowerCase()).not.toContain('connection: close');
    expect(answers[2]!.toLowerCase()).toContain('\r\nretry-after: 1\r\n');
    expect(answers[2]).toContain('"code":"unavailable"');
    await closing;
  });

  it('a mounted gateway answers new streams and publishes 503 with Retry-After: 1 while its host server keeps listening', async () => {
    const gateway = createGateway({ logger: false });
    const server = createServer(gateway.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await gateway.close();
      const stream = await call(`${url}/api/logs/stream?channels=logs:svc:ws:a`);
      expect([stream.status, stream.headers.get('retry-after'), stream.json.error.code]).toEqual([
        503,
        '1',
        'unavailable',
      ]);
      const published = await publish(url, log('a', 'after close'));
      expect([published.status, published.headers.get('retry-after'), published.json.error.code]).toEqual([
        503,
        '1',
        'unavailable',
      ]);
      expect((await call(`${url}/ready`)).status).toBe(503);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
