import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, log, openStream, publish, type Started, startGateway } from './helpers';

let g: Started;
beforeAll(async () => {
  g = await startGateway({ maxBodyBytes: 8 * 1024, maxChannels: 3 });
});
afterAll(() => g.gateway.close());

describe('bad publish bodies get a clear error and change nothing', () => {
  it.each([
    ['malformed JSON', '{"channel":', 400, 'invalid_json'],
    ['empty body', '', 400, 'invalid_json'],
    ['a bare string', '"hello"', 400, 'invalid_entry'],
    ['null', 'null', 400, 'invalid_entry'],
    ['an empty batch', '{"logs":[]}', 400, 'invalid_entry'],
    ['logs not an array', '{"logs":{"message":"x"}}', 400, 'invalid_entry'],
    ['missing message', JSON.stringify({ channel: 'logs:svc:ws:a' }), 400, 'invalid_entry'],
    [
      'message of the wrong type',
      JSON.stringify({ channel: 'logs:svc:ws:a', message: 42 }),
      400,
      'invalid_entry',
    ],
    ['an unknown level', JSON.stringify(log('a', 'x', { level: 'loud' })), 400, 'invalid_entry'],
    ['an unknown type', JSON.stringify(log('a', 'x', { type: 'metric' })), 400, 'invalid_entry'],
    ['a bad timestamp', JSON.stringify(log('a', 'x', { timestamp: 'yesterday' })), 400, 'invalid_entry'],
    [
      'status progress out of range',
      JSON.stringify({ type: 'status', channel: 'logs:svc:ws:a', phase: 'x', progress: 101 }),
      400,
      'invalid_entry',
    ],
    [
      'a channel without prefix',
      JSON.stringify({ channel: 'svc:ws:a', message: 'x' }),
      400,
      'invalid_channel',
    ],
    [
      'a channel with a newline',
      JSON.stringify({ channel: 'logs:svc:ws:a\ndata: x', message: 'x' }),
      400,
      'invalid_channel',
    ],
    ['a wildcard channel', JSON.stringify({ channel: 'logs:svc:*:a', message: 'x' }), 400, 'invalid_channel'],
    [
      'a segment too long',
      JSON.stringify({ channel: `logs:svc:ws:${'r'.repeat(129)}`, message: 'x' }),
      400,
      'invalid_channel',
    ],
    [
      'a bad service',
      JSON.stringify({ service: 'a b', workspace_id: 'w', resource_id: 'r', message: 'x' }),
      400,
      'invalid_channel',
    ],
    ['an oversized body', JSON.stringify(log('a', 'x'.repeat(9000))), 413, 'payload_too_large'],
    // Within the size limit, but deep enough to overflow the stack of anything that serialises it again.
    [
      'a field nested 3,000 levels deep',
      `{"channel":"logs:svc:ws:a","message":"x","x":${'['.repeat(3000)}${']'.repeat(3000)}}`,
      400,
      'invalid_entry',
    ],
  ])('%s', async (_name, body, status, code) => {
    const answer = await publish(g.url, body);
    expect(answer.status).toBe(status);
    expect(answer.json.error.code).toBe(code);
    expect(answer.json.error.message).toEqual(expect.any(String));
  });

  it('stored none of them', async () => {
    expect(g.gateway.stats().logs.in).toBe(0);
    expect((await call(`${g.url}/api/logs/history?channel=logs:svc:*:*`)).json.logs).toEqual([]);
  });
});

describe('bad stream queries are refused before the stream starts', () => {
  it.each([
    ['no channels', '', 'invalid_channel'],
    ['a bad channel', 'channels=logs:svc', 'invalid_channel'],
    ['a bad pattern', 'channels=logs:sv*:a:b', 'invalid_channel'],
    ['too many channels', 'channels=logs:a:b:1,logs:a:b:2,logs:a:b:3,logs:a:b:4', 'too_many_channels'],
    ['a bad level', 'channels=logs:a:b:c&level=loud', 'invalid_query'],
    ['a bad tail', 'channels=logs:a:b:c&tail=-1', 'invalid_query'],
    ['a bad since', 'channels=logs:a:b:c&since=last-tuesday', 'invalid_query'],
    ['a bad follow', 'channels=logs:a:b:c&follow=maybe', 'invalid_query'],
    ['a bad lastEventId', 'channels=logs:a:b:c&lastEventId=abc', 'invalid_query'],
    ['a huge q', `channels=logs:a:b:c&q=${'x'.repeat(300)}`, 'invalid_query'],
  ])('%s', async (_name, query, code) => {
    const stream = await openStream(g.url, query);
    expect(stream.status).toBe(400);
    expect(stream.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(stream.body).error.code).toBe(code);
  });

  it('refuses a bad Last-Event-ID header', async () => {
    const stream = await openStream(g.url, 'channels=logs:a:b:c', { 'last-event-id': '1-2-3' });
    expect(stream.status).toBe(400);
  });
});

describe('line breaks in messages and fields never forge an event', () => {
  it('keeps each entry one event with one data line', async () => {
    const stream = await openStream(g.url, 'channels=logs:svc:ws:a');
    const hostile = [
      '\n\ndata: {"forged":true}\n\n',
      'x\r\nevent: done\r\ndata: {}\r\n\r\n',
      'x\revent: gap\rdata: {}\r\r',
      'id: 99999999999999-0\n\nretry: 1\n\n',
      '\u2028\u2029\0',
    ];
    const answer = await publish(g.url, {
      logs: hostile.map((message, i) =>
        log('a', message, { [`field\n\ndata: ${i}`]: `value\n\nevent: done\n\n` }),
      ),
    });
    expect(answer.status).toBe(202);
    await stream.untilEvents('log', hostile.length);
    await publish(g.url, log('a', 'marker'));
    await stream.untilEvents('log', hostile.length + 1);
    expect(stream.events.map((e) => e.event)).toEqual(['hello', ...Array(hostile.length + 1).fill('log')]);
    expect(stream.data('log').map((e) => e.message)).toEqual([...hostile, 'marker']);
    expect(stream.retry).toBe(2000);
    for (const event of stream.events) expect(event.data.includes('\n')).toBe(false);
    stream.close();
  });
});
