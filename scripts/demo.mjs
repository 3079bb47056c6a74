#!/usr/bin/env node
// `pnpm demo`: starts the gateway in open mode on 127.0.0.1:3002 (loopback only) and shows how to publish
// to it and watch it. Stops on Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../packages/gateway/dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('The gateway is not built yet: run `pnpm build` first.');
  process.exit(1);
}

const port = process.env.LOGS_SSE_PORT ?? '3002';
const gateway = spawn(process.execPath, [cli, '--port', port, '--host', '127.0.0.1'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});

let announced = false;
gateway.stdout.setEncoding('utf8');
gateway.stdout.on('data', (text) => {
  const url = !announced && text.match(/^http:\/\/\S+$/m)?.[0];
  if (!url) return;
  announced = true;
  const channel = 'logs:etl:ws-1:run-1';
  console.log(`
logs-sse gateway running at ${url} (open mode, loopback only). Ctrl-C stops it.

Watch two channels over one connection:
  curl -N '${url}/api/logs/stream?channels=${channel},logs:workflow:ws-1:wf-7'

Publish from another terminal:
  curl -X POST ${url}/api/logs/publish -H 'content-type: application/json' \\
    -d '{"channel":"${channel}","level":"info","message":"hello from curl"}'
`);
});

gateway.on('exit', (code, signal) => {
  if (!announced) console.error('The gateway stopped before it was ready (is the port in use?).');
  process.exit(signal ? 0 : (code ?? 0));
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => gateway.kill('SIGTERM'));
}
