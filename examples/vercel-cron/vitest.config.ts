import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

// The route handler is run with real Requests against the built packages (pnpm build), a fake
// Together API and the machine's Redis.
export default defineProject({
  test: {
    name: 'example-vercel-cron',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
