import { defineConfig } from 'tsup';
import { packageBuild } from '../../scripts/tsupConfig';

export default defineConfig(packageBuild({ entry: ['src/index.ts', 'src/shared/index.ts'] }));
