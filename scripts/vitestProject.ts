import { defineProject } from 'vitest/config';

/** One package's test project: sources resolve through the `@logs-sse/source` condition, not `dist`. */
export function packageProject(
  name: string,
  overrides: { environment?: 'node' | 'jsdom'; setupFiles?: string[] } = {},
) {
  return defineProject({
    resolve: { conditions: ['@logs-sse/source'] },
    ssr: { resolve: { conditions: ['@logs-sse/source'] } },
    test: {
      name,
      include: ['test/**/*.test.{ts,tsx}'],
      environment: overrides.environment ?? 'node',
      setupFiles: overrides.setupFiles ?? [],
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  });
}
