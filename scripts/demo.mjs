#!/usr/bin/env node
// `pnpm demo`: the whole product on one machine. Builds the web app, then starts the gateway in open mode
// on 127.0.0.1:3002 (loopback only), the sample services publishing to it (checkout through the
// OpenTelemetry SDK and OTLP, and the Python one when python3 is on the machine), and the web app, and
// prints the app's URL. Ctrl-C stops everything;
// when one part stops by itself, the others are stopped too.
//
// Ports: LOGS_SSE_PORT (gateway, default 3002) and DEMO_WEB_PORT (web app, default 4173).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const gatewayCli = join(root, 'packages/gateway/dist/cli.js');
const webDir = join(root, 'examples/micro-frontends');
const servicesDir = join(root, 'examples/node-service');
const pythonService = join(root, 'examples/python-service/validator.py');
const host = '127.0.0.1';
const gatewayPort = Number(process.env.LOGS_SSE_PORT ?? 3002);
const webPort = Number(process.env.DEMO_WEB_PORT ?? 4173);
const gatewayUrl = `http://${host}:${gatewayPort}`;
const webUrl = `http://${host}:${webPort}/`;

if (!existsSync(gatewayCli)) {
  console.error('The gateway is not built yet: run `pnpm build` first (`pnpm demo` does both).');
  process.exit(1);
}

await checkPortFree(gatewayPort, 'the gateway', 'LOGS_SSE_PORT');
await checkPortFree(webPort, 'the web app', 'DEMO_WEB_PORT');

const viteBin = join(
  dirname(createRequire(join(webDir, 'package.json')).resolve('vite/package.json')),
  'bin/vite.js',
);
console.log('Building the web app...');
const built = spawnSync(process.execPath, [viteBin, 'build', '--logLevel', 'warn'], {
  cwd: webDir,
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'production', VITE_LOGS_GATEWAY_URL: gatewayUrl },
});
if (built.status !== 0) {
  console.error('Building the web app failed (see above).');
  process.exit(1);
}

// The Python sample service runs when python3 is here; it uses the package from python/src as it is.
const withPython = spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;
const SERVICES = ['etl', 'workflow', 'functions', 'checkout', ...(withPython ? ['validator'] : [])];
/** Every process the demo started, by name; each is stopped when the demo stops. */
const children = new Map();
let stopping = false;

function start(name, args, { onStdout, command = process.execPath, ...options } = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  children.set(name, child);
  const prefix = (text) => text.replace(/^(?=.)/gm, `[${name}] `);
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (text) => (onStdout ? onStdout(text) : process.stdout.write(prefix(text))));
  child.stderr.on('data', (text) => process.stderr.write(prefix(text)));
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (stopping) {
      if (children.size === 0) process.exit(process.exitCode ?? 0);
      return;
    }
    console.error(`\n${name} stopped by itself (${signal ?? `exit code ${code}`}); stopping the demo.`);
    stopAll(1);
  });
  return child;
}

function stopAll(exitCode) {
  if (stopping) return;
  stopping = true;
  process.exitCode = exitCode;
  if (children.size === 0) process.exit(exitCode);
  // Services first, so that they can send what they still hold; the gateway and the web app after them.
  const services = [...children].filter(([name]) => SERVICES.includes(name)).map(([, child]) => child);
  for (const child of services) child.kill('SIGTERM');
  Promise.all(services.map((child) => (child.exitCode === null ? once(child, 'exit') : undefined))).then(
    () => {
      for (const child of children.values()) child.kill('SIGTERM');
    },
  );
  // Whatever still runs after this long is not going to stop nicely.
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(exitCode || 1);
  }, 8000).unref();
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    console.log('\nStopping the demo...');
    stopAll(0);
  });
}

// 1. The gateway, letting the web app's origin read it from the browser.
await new Promise((resolve) => {
  let announced = false;
  start('gateway', [gatewayCli, '--port', String(gatewayPort), '--host', host], {
    env: {
      ...process.env,
      LOGS_SSE_CORS_ORIGINS: `http://${host}:${webPort},http://localhost:${webPort}`,
      LOGS_SSE_LOG_LEVEL: process.env.LOGS_SSE_LOG_LEVEL ?? 'warn',
    },
    onStdout: (text) => {
      if (!announced && /^http:\/\/\S+$/m.test(text)) {
        announced = true;
        resolve();
      }
    },
  });
});

// 2. The sample services, run from their TypeScript sources, and the Python one from its script.
for (const service of SERVICES.filter((name) => name !== 'validator')) {
  start(
    service,
    ['--conditions=@logs-sse/source', '--import', 'tsx', 'src/main.ts', service, '--url', gatewayUrl],
    { cwd: servicesDir },
  );
}
if (withPython) {
  start('validator', [pythonService, '--url', gatewayUrl], {
    command: 'python3',
    env: { ...process.env, PYTHONPATH: join(root, 'python/src'), PYTHONUNBUFFERED: '1' },
  });
}

// 3. The web app, as built above.
start('web', [viteBin, 'preview', '--host', host, '--port', String(webPort), '--strictPort'], {
  cwd: webDir,
  onStdout: () => {},
});
await waitForHttp(webUrl);
if (!stopping) {
  console.log(`
logs-sse demo running. Ctrl-C stops it.

  web app   ${webUrl}
  gateway   ${gatewayUrl} (open mode, loopback only)
  services  etl, workflow and functions${withPython ? ', and validator (Python)' : ''}, publishing to workspace "demo";
            checkout, logging through the OpenTelemetry SDK to ${gatewayUrl}/v1/logs

Watch the same logs from a terminal:
  curl -N '${gatewayUrl}/api/logs/stream?channels=logs:workflow:demo:*'
`);
}

/** Exits with a clear message when something already listens on `port`. */
function checkPortFree(port, what, variable) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error) => {
      const reason = error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${error.code})`;
      console.error(
        `Port ${port} on ${host} ${reason}: it is needed for ${what}.\n` +
          `Stop whatever listens there (is another demo running?), or pick another port: ${variable}=<port> pnpm demo`,
      );
      process.exit(1);
    });
    probe.listen(port, host, () => probe.close(resolve));
  });
}

/** Resolves once `url` answers (the preview server is up), or when the demo is stopping. */
async function waitForHttp(url) {
  while (!stopping) {
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
