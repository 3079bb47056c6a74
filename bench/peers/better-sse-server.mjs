// The better-sse peer for the fan-out bench: a plain node:http server with better-sse channels.
//   GET  /sse?channels=a,b,c   one session registered in each named channel
//   POST /publish              body: JSON array of {c: channel, d: data}; each becomes one `log` event
// Prints its URL on stdout, like the gateway CLI. Usage: node bench/peers/better-sse-server.mjs
import { createServer } from 'node:http';
import { createChannel, createSession } from 'better-sse';

const MAX_BODY = 4 * 1024 * 1024;
const channels = new Map();

function channel(name) {
  let found = channels.get(name);
  if (!found) {
    found = createChannel();
    channels.set(name, found);
  }
  return found;
}

// Data arrives serialised; the identity serializer sends it as it is (the default would JSON-encode it again).
const sessionOptions = { serializer: (data) => data, keepAlive: null };

async function subscribe(req, res, url) {
  const names = (url.searchParams.get('channels') ?? '').split(',').filter(Boolean);
  if (names.length === 0) {
    res.writeHead(400).end('channels required');
    return;
  }
  res.socket?.setNoDelay(true);
  const session = await createSession(req, res, sessionOptions);
  for (const name of names) channel(name).register(session);
}

function publish(req, res) {
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY) req.destroy();
    else chunks.push(chunk);
  });
  req.on('end', () => {
    let messages;
    try {
      messages = JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
    } catch {
      res.writeHead(400).end('bad json');
      return;
    }
    for (const { c, d } of messages) channels.get(c)?.broadcast(d, 'log');
    res.writeHead(202, { 'content-type': 'application/json' }).end(`{"accepted":${messages.length}}`);
  });
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/sse') {
    subscribe(req, res, url).catch(() => res.destroy());
  } else if (req.method === 'POST' && url.pathname === '/publish') {
    publish(req, res);
  } else {
    res.writeHead(404).end();
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
