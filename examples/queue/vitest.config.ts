import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

// Runs the example as users run it: the built packages (pnpm build), real processes, a real redis-server.
export default defineProject({
  test: {
    name: 'example-queue',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
