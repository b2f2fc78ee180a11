import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

// Each test starts real runtimes as child processes (Bun, Deno, workerd, Chromium) or a VM
// (the edge runtime); they import the built core, so build it first.
export default defineProject({
  test: {
    name: 'runtimes',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
