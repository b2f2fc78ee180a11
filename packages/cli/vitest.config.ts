import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

// End-to-end tests run the built executable (dist/bin.js) as child processes: build first.
export default defineProject({
  test: {
    name: 'cli',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.ts'],
    // Child processes on a 2-core machine shared with other suites: generous margins.
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
