import { defineConfig } from 'tsup';
import { packageBuild } from '../../scripts/tsupConfig';

export default defineConfig(
  packageBuild({
    entry: ['src/index.ts', 'src/redis.ts', 'src/cli.ts'],
    // CommonJS chunks too, so that the OTLP decoder stays in a chunk of its own, loaded on first use.
    splitting: true,
  }),
);
