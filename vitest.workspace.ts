// Vitest 4 reads no workspace file by itself: vitest.config.ts hands this list to `test.projects`.
export default ['packages/*/vitest.config.ts', 'examples/*/vitest.config.ts', 'python/vitest.config.ts'];
