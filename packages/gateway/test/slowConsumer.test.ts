import { connect, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { log, openStream, publish, type Started, startGateway } from './helpers';

let g: Started;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await g.gateway.close();
});

/** A subscriber that sends its request and then never reads a byte. */
async function stalledSubscriber(url: string, query: string): Promise<Socket> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  sockets.push(socket);
  socket.setNoDelay(true);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    `GET /api/logs/stream?${query} HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n`,
  );
  socket.pause();
  return socket;
}

it('disconnects a subscriber that never reads, keeps memory bounded, and never slows publishers or others', async () => {
  const maxBufferedBytes = 64 * 1024;
  g = await startGateway({ maxBufferedBytes, maxBodyBytes: 1024 * 1024, historyPerChannel: 10 });
  const socket = await stalledSubscriber(g.url, 'channels=logs:svc:ws:a');
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  while (g.gateway.stats().connections < 1) await new Promise((r) => setImmediate(r));
  const healthy = await openStream(g.url, 'channels=logs:svc:ws:a');

  const batch = { logs: Array.from({ length: 50 }, (_, i) => log('a', `${i}:${'x'.repeat(8 * 1024)}`)) };
  const batchBytes = Buffer.byteLength(JSON.stringify(batch)) + 50 * 200;
  let batches = 0;
  // Each batch is ~400 KiB; the kernel's socket buffers absorb some, then the gateway's bound must trip.
  while (g.gateway.stats().dropped.slowSubscribers === 0 && batches < 500) {
    const answer = await publish(g.url, batch);
    expect(answer.status).toBe(202);
    batches++;
    await healthy.untilEvents('log', batches * 50);
    // Each stream holds at most its bound plus one tick's worth of frames, however long the reader stalls.
    expect(g.gateway.stats().memory.streamBufferedBytes).toBeLessThanOrEqual(
      2 * (maxBufferedBytes + batchBytes),
    );
  }
  expect(g.gateway.stats().dropped.slowSubscribers).toBe(1);
  // Once it reads again, it finds the connection closed (and would resume from its cursor).
  socket.resume();
  await closed;
  expect(g.gateway.stats().connections).toBe(1);
  // The history ring holds 10 entries; nothing else may keep the undelivered megabytes alive.
  expect(g.gateway.stats().history.entries).toBe(10);

  await publish(g.url, log('a', 'after'));
  await healthy.untilEvents('log', batches * 50 + 1);
  expect(healthy.data('log').at(-1).message).toBe('after');
  healthy.close();
});

it('disconnects a stalled subscriber whose backlog builds up while its history is replayed', async () => {
  g = await startGateway({ maxBufferedBytes: 32 * 1024, historyPerChannel: 1000 });
  const batch = { logs: Array.from({ length: 100 }, (_, i) => log('a', `${i}:${'y'.repeat(4 * 1024)}`)) };
  for (let i = 0; i < 10; i++) expect((await publish(g.url, batch)).status).toBe(202);
  const socket = await stalledSubscriber(g.url, 'channels=logs:svc:ws:a&tail=1000');
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  while (g.gateway.stats().dropped.slowSubscribers === 0) {
    expect((await publish(g.url, batch)).status).toBe(202);
  }
  socket.resume();
  await closed;
  expect(g.gateway.stats().connections).toBe(0);
});
