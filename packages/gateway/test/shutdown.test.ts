import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { createGateway } from '@logs-sse/gateway';
import { expect, it } from 'vitest';
import { call, log, openStream, publish, startGateway } from './helpers';

it('close() tells every stream to reconnect soon, ends it, and stops listening', async () => {
  const { gateway, url } = await startGateway({ shutdownRetryMs: 250 });
  const one = await openStream(url, 'channels=logs:svc:ws:a');
  const two = await openStream(url, 'channels=logs:svc:*:*&tail=10');
  await publish(url, log('a', 'before'));
  await one.untilEvents('log', 1);

  await gateway.close();
  await one.untilEnd();
  await two.untilEnd();
  for (const stream of [one, two]) {
    expect(stream.retry).toBe(250);
    expect(stream.body.endsWith('retry: 250\n\n')).toBe(true);
  }
  expect(gateway.stats().connections).toBe(0);
  await expect(fetch(`${url}/health`)).rejects.toThrow();
  // close() is idempotent.
  await gateway.close();
});

it('close() lets a publish in flight finish', async () => {
  const { gateway, url } = await startGateway();
  const body = JSON.stringify(log('a', 'in flight'));
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  const waitFor = async (text: string) => {
    while (!received.includes(text)) await new Promise((resolve) => socket.once('data', resolve));
  };
  socket.write(
    `POST /api/logs/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
  );
  // The 100 Continue proves the gateway is handling this request before close() begins.
  await waitFor('100 Continue');
  const closing = gateway.close();
  socket.write(body);
  await waitFor('"accepted":1');
  expect(received).toContain('HTTP/1.1 202 Accepted');
  await closing;
  socket.destroy();
});

it('mounts in an existing node:http server and closes its streams there too', async () => {
  const gateway = createGateway({ logger: false });
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/api/') || req.url === '/health') gateway.handler(req, res);
    else res.end('app');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  expect((await call(`${url}/`)).text).toBe('app');
  const stream = await openStream(url, 'channels=logs:svc:ws:a');
  expect((await publish(url, log('a', 'mounted'))).status).toBe(202);
  await stream.untilEvents('log', 1);
  await gateway.close();
  await stream.untilEnd();
  expect(stream.retry).toBe(250);
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

it('keeps a stream open in a server whose sockets time out sooner than its heartbeats come', async () => {
  const gateway = createGateway({ logger: false, heartbeatSeconds: 0.05 });
  const server = createServer(gateway.handler);
  // Set as a stream's request arrives, just before the gateway sees it: a socket idle for 10 ms is
  // destroyed, unless the stream lifts its timeout. Publishes are left alone, however slow the machine.
  server.prependListener('request', (req) => {
    if (req.url?.startsWith('/api/logs/stream')) req.socket.setTimeout(10);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stream = await openStream(url, 'channels=logs:svc:ws:a');
  await stream.until((r) => r.comments.length >= 3, 'three heartbeats');
  expect((await publish(url, log('a', 'still open'))).status).toBe(202);
  await stream.untilEvents('log', 1);
  expect(stream.ended).toBe(false);
  await gateway.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

it('answers /ready with 503 and refuses new streams while shutting down', async () => {
  const gateway = createGateway({ logger: false });
  const server = createServer(gateway.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await gateway.close();
  expect((await call(`${url}/ready`)).status).toBe(503);
  const stream = await openStream(url, 'channels=logs:svc:ws:a');
  expect(stream.status).toBe(503);
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
