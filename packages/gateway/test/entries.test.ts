import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Imports `specifier` from the built package in a fresh Node process; lists the CommonJS modules loaded. */
function loadedModules(specifier: string, exportName: string): { exported: string; ioredis: boolean } {
  const script = `
    import { createRequire } from 'node:module';
    const mod = await import(${JSON.stringify(specifier)});
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({
      exported: typeof mod[${JSON.stringify(exportName)}],
      ioredis: loaded.some((path) => path.includes('/ioredis/')),
    }));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: packageDir,
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout);
}

describe('entry points (built package)', () => {
  it('importing @logs-sse/gateway does not load the Redis client', () => {
    expect(loadedModules('@logs-sse/gateway', 'createGateway')).toEqual({
      exported: 'function',
      ioredis: false,
    });
  });

  it('@logs-sse/gateway/redis exports RedisStore and loads the Redis client', () => {
    expect(loadedModules('@logs-sse/gateway/redis', 'RedisStore')).toEqual({
      exported: 'function',
      ioredis: true,
    });
  });

  it('the main entry no longer exports RedisStore', () => {
    expect(loadedModules('@logs-sse/gateway', 'RedisStore')).toEqual({
      exported: 'undefined',
      ioredis: false,
    });
  });
});
