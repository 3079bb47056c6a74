import { defineProject } from 'vitest/config';

// The Python package's pytest suite, run from `pnpm test` so that the README's one test command covers it.
export default defineProject({
  test: {
    name: 'python',
    include: ['pytest.test.ts'],
    environment: 'node',
    // A first run creates the virtualenv and installs pytest from the package index; later runs reuse it.
    testTimeout: 300_000,
  },
});
