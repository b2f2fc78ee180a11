import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

// One `next build` and one `next start` for the whole file (a minute or so on two cores), against
// the built packages (pnpm build).
export default defineProject({
  test: {
    name: 'example-next',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.ts'],
    hookTimeout: 400_000,
    testTimeout: 30_000,
  },
});
