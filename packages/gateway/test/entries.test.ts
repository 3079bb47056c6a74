import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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

describe('the OTLP decoder is loaded on the first POST /v1/logs, not before', () => {
  it('CommonJS: requiring the gateway and serving other requests loads no protobuf code', () => {
    const script = `
      const { createGateway } = require('@logs-sse/gateway');
      const loaded = () => Object.keys(require.cache).some((path) => path.includes('/@bufbuild/'));
      (async () => {
        const gateway = createGateway({ logger: false });
        const { url } = await gateway.listen({ port: 0 });
        const before = loaded();
        await fetch(url + '/api/logs/publish', {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ channel: 'logs:a:b:c', message: 'hi' }),
        });
        const afterPublish = loaded();
        const otlp = await fetch(url + '/v1/logs', {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
        });
        console.log(JSON.stringify({ before, afterPublish, status: otlp.status, afterOtlp: loaded() }));
        await gateway.close();
      })();`;
    const run = spawnSync(process.execPath, ['-e', script], { cwd: packageDir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      before: false,
      afterPublish: false,
      status: 200,
      afterOtlp: true,
    });
  });

  it('ESM: no module the main entry imports statically imports @bufbuild/protobuf', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(join(packageDir, 'dist', file), 'utf8');
      expect(text).not.toMatch(/from ['"]@bufbuild\//);
      for (const [, next] of text.matchAll(/^(?:import|export)\b[^;]*?['"]\.\/([^'"]+)['"]/gm)) visit(next!);
    };
    visit('index.js');
    expect(seen.size).toBeGreaterThan(1);
    // The decoder is there, in a chunk of its own that only a dynamic import() reaches.
    const chunks = readdirSync(join(packageDir, 'dist')).filter((f) => /^receiveLogs-.*\.js$/.test(f));
    expect(chunks).toHaveLength(1);
    expect(readFileSync(join(packageDir, 'dist', chunks[0]!), 'utf8')).toMatch(
      /from ['"]@bufbuild\/protobuf/,
    );
  });
});
