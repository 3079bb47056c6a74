import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const packages = fileURLToPath(new URL('../../../../packages/', import.meta.url));

/**
 * A page that subscribes with the built `@logs-sse/client/shared` (no bundler: an import map points at
 * the built protocol), lists what each channel received in `window.received` and counts the streams it
 * holds open in `window.streams`. Query: `gateway`, `token`, `channels` (comma-separated).
 */
const PAGE = `<!doctype html>
<script type="importmap">{ "imports": { "@logs-sse/protocol": "/protocol/index.js" } }</script>
<script type="module">
  import { createSharedLogsClient } from '/client/shared/index.js';
  // How many streams this tab holds open: 1 while it leads (and connected), else 0.
  window.streams = 0;
  const fetchOnce = window.fetch;
  window.fetch = (input, init) => {
    if (!String(input).includes('/api/logs/stream')) return fetchOnce(input, init);
    window.streams++;
    init.signal.addEventListener('abort', () => window.streams--);
    return fetchOnce(input, init);
  };
  const query = new URLSearchParams(location.search);
  const client = createSharedLogsClient({ url: query.get('gateway'), token: query.get('token') });
  window.client = client;
  window.received = {};
  for (const channel of query.get('channels').split(',')) {
    window.received[channel] = [];
    client.subscribe(channel, { onLog: (entry) => window.received[channel].push(entry.id + ' ' + entry.message) });
  }
</script>`;

const FILES: Record<string, string> = { '/client/': 'client/dist/', '/protocol/': 'protocol/dist/' };

/** Serves the page at `/` and the built packages it imports, on a free loopback port. */
export async function serveSharedPage(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://page.invalid').pathname;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      return;
    }
    const prefix = Object.keys(FILES).find((p) => path.startsWith(p));
    if (!prefix || path.includes('..')) {
      res.writeHead(404).end();
      return;
    }
    readFile(packages + FILES[prefix] + path.slice(prefix.length)).then(
      (body) => res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
