import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

// Runs the example as users run it: the built packages (pnpm build), real HTTP on 127.0.0.1.
export default defineProject({
  test: {
    name: 'example-observability',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
