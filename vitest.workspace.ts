import { defineConfig } from 'vitest/config';

/**
 * The test projects of the whole repository; `pnpm test` runs every one of them. Each package
 * contributes `vitest.config.ts` and, where it tests more than one build or runtime,
 * `vitest.<variant>.config.ts`.
 */
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'packages/*/vitest.*.config.ts', 'examples/*/vitest.config.ts', 'runtimes/vitest*.config.ts'],
  },
});
