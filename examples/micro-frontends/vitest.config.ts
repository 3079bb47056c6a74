import { defineProject } from 'vitest/config';

// The browser suite: a real gateway, the real services and Chromium driving the built app.
export default defineProject({
  resolve: { conditions: ['@logs-sse/source'] },
  ssr: { resolve: { conditions: ['@logs-sse/source'] } },
  test: {
    name: 'e2e',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['./test/globalSetup.ts'],
    // Every file starts its gateway on the port baked into the app: one file at a time.
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
