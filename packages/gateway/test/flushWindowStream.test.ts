import { connect, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { log, publish, type Started, startGateway } from './helpers';

let g: Started | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await g?.gateway.close();
  g = undefined;
});

/** A stream read over a raw socket, so that each chunk the gateway wrote can be counted. */
async function rawStream(url: string, query: string) {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  sockets.push(socket);
  socket.setNoDelay(true);
  const chunks: string[] = [];
  let text = '';
  let ended = false;
  let wake = () => {};
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk.toString());
    text += chunk.toString();
    wake();
  });
  socket.on('close', () => {
    ended = true;
    wake();
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    `GET /api/logs/stream?${query} HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n`,
  );
  const until = async (done: () => boolean) => {
    while (!done() && !ended) await new Promise<void>((resolve) => (wake = resolve));
  };
  const messages = () => [...text.matchAll(/"message":"([^"]*)"/g)].map((m) => m[1]);
  await until(() => text.includes('event: hello'));
  return {
    chunks,
    messages,
    untilMessages: (n: number) => until(() => messages().length >= n),
    untilEnd: () => until(() => false),
    socket,
  };
}

it('delivers single-log publishes made within a window in fewer writes, in order, none lost', async () => {
  // A long window, so that a slow machine still sends the burst within one or two of them.
  g = await startGateway({ flushWindowMs: 1000 });
  const stream = await rawStream(g.url, 'channels=logs:svc:ws:a');
  expect((await publish(g.url, log('a', 'm0'))).status).toBe(202);
  await stream.untilMessages(1);
  const before = stream.chunks.length;
  for (let i = 1; i <= 20; i++) expect((await publish(g.url, log('a', `m${i}`))).status).toBe(202);
  await stream.untilMessages(21);
  expect(stream.messages()).toEqual(Array.from({ length: 21 }, (_, i) => `m${i}`));
  // One POST each, one turn each: without the window that is 20 writes.
  expect(stream.chunks.length - before).toBeLessThanOrEqual(5);
});

it('with flushWindowMs 0 writes each single-log publish on its own', async () => {
  g = await startGateway({ flushWindowMs: 0 });
  const stream = await rawStream(g.url, 'channels=logs:svc:ws:a');
  for (let i = 0; i < 5; i++) {
    expect((await publish(g.url, log('a', `m${i}`))).status).toBe(202);
    await stream.untilMessages(i + 1);
  }
  expect(stream.chunks.filter((chunk) => chunk.includes('event: log'))).toHaveLength(5);
});

it('writes what waits for its window before the goodbye when the gateway closes', async () => {
  g = await startGateway({ flushWindowMs: 1000, shutdownRetryMs: 250 });
  const stream = await rawStream(g.url, 'channels=logs:svc:ws:a');
  await publish(g.url, log('a', 'first'));
  await stream.untilMessages(1);
  await publish(g.url, log('a', 'waiting'));
  await g.gateway.close();
  g = undefined;
  await stream.untilEnd();
  expect(stream.messages()).toEqual(['first', 'waiting']);
  const body = stream.chunks.join('');
  expect(body.indexOf('retry: 250')).toBeGreaterThan(body.indexOf('"waiting"'));
});

it('still disconnects a stalled reader while its entries wait for the window', async () => {
  const maxBufferedBytes = 64 * 1024;
  g = await startGateway({ flushWindowMs: 100, maxBufferedBytes, historyPerChannel: 10 });
  const stalled = await rawStream(g.url, 'channels=logs:svc:ws:a');
  stalled.socket.pause();
  const healthy = await rawStream(g.url, 'channels=logs:svc:ws:a');
  const batch = { logs: Array.from({ length: 50 }, (_, i) => log('a', `${i}:${'x'.repeat(8 * 1024)}`)) };
  let batches = 0;
  while (g.gateway.stats().dropped.slowSubscribers === 0 && batches < 500) {
    expect((await publish(g.url, batch)).status).toBe(202);
    batches++;
    await healthy.untilMessages(batches * 50);
  }
  expect(g.gateway.stats().dropped.slowSubscribers).toBe(1);
  expect(g.gateway.stats().connections).toBe(1);
});
