import { defineConfig } from 'tsup';
import { packageBuild } from '../../scripts/tsupConfig';

export default defineConfig(packageBuild({ onSuccess: 'cp src/styles.css dist/styles.css' }));
