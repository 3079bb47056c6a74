// One minimal SSE hub per HTTP layer, identical in what it does: POST /publish fans the body out to every
// open GET /stream as one pre-encoded frame. Run as a child process: `node servers.mjs <layer>`; it
// prints its port on stdout.
import http from 'node:http';

const layer = process.argv[2];
const subscribers = new Set();

function fanOut(body) {
  const frame = Buffer.from(`event: log\ndata: ${body}\n\n`);
  for (const res of subscribers) res.write(frame);
}

function openStream(res) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write(':\n\n');
  subscribers.add(res);
  res.on('close', () => subscribers.delete(res));
}

async function nodeHttp() {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/stream') return openStream(res);
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      fanOut(Buffer.concat(chunks).toString());
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server.address().port;
}

async function fastify() {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.get('/stream', (_req, reply) => {
    reply.hijack();
    openStream(reply.raw);
  });
  app.post('/publish', async (req, reply) => {
    fanOut(req.body);
    reply.code(202).send({ accepted: 1 });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server.address().port;
}

async function hono() {
  const { Hono } = await import('hono');
  const { serve } = await import('@hono/node-server');
  const app = new Hono();
  app.get('/stream', (c) => {
    // Hono answers with web streams; an SSE hub built on it writes through a ReadableStream controller.
    const encoder = new TextEncoder();
    let controller;
    const sink = { write: (frame) => controller.enqueue(frame) };
    const stream = new ReadableStream({
      start(ctrl) {
        controller = ctrl;
        ctrl.enqueue(encoder.encode(':\n\n'));
        subscribers.add(sink);
      },
      cancel() {
        subscribers.delete(sink);
      },
    });
    return c.body(stream, 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  });
  app.post('/publish', async (c) => {
    fanOut(await c.req.text());
    return c.json({ accepted: 1 }, 202);
  });
  return new Promise((resolve) => {
    serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
  });
}

const start = { 'node-http': nodeHttp, fastify, hono }[layer];
if (!start) {
  console.error(`unknown layer ${layer}; use node-http, fastify or hono`);
  process.exit(2);
}
console.log(await start());
