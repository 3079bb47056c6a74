import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { freePort } from './helpers/freePort';
import { serveStatic } from './helpers/serveStatic';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the built app is served, such as `http://127.0.0.1:40123/`. */
    appUrl: string;
    /** The port the app's gateway URL names: each test file starts its gateway there. */
    gatewayPort: number;
  }
}

const root = fileURLToPath(new URL('..', import.meta.url));

/** Builds the app once, with a gateway URL on a free port baked in, and serves the build. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const gatewayPort = await freePort();
  const outDir = await mkdtemp(join(tmpdir(), 'logs-sse-e2e-'));
  process.env.VITE_LOGS_GATEWAY_URL = `http://127.0.0.1:${gatewayPort}`;
  const { build } = await import('vite');
  // The build users get: Vite (and React's JSX transform) follow NODE_ENV, which the test runner set to
  // `test`; for the build it is `production`, as in `vite build` from a shell.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  const server = await serveStatic(outDir);
  project.provide('appUrl', server.url);
  project.provide('gatewayPort', gatewayPort);
  return async () => {
    await server.close();
    await rm(outDir, { recursive: true, force: true });
  };
}
