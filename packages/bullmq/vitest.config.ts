import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

export default defineProject({
  // The README examples import the package by name.
  resolve: { alias: { '@x/together-webhooks-bullmq': fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    name: 'bullmq',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.ts'],
    // The process tests start servers, kill workers and wait out stall intervals: generous margins on 2 cores.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
