import type { Options } from 'tsup';

/** The one build setup every package shares: ESM + CJS + declarations, for Node 20 and browsers. */
export function packageBuild(overrides: Partial<Options> = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    treeshake: true,
    ...overrides,
  };
}
