import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The watcher's tests run its sources; the core is imported built, as an app would import it.
export default defineProject({
  resolve: {
    alias: {
      '@x/together-webhooks-watch/testing': here('./src/testing/index.ts'),
      '@x/together-webhooks-watch': here('./src/index.ts'),
    },
  },
  test: {
    name: 'watch',
    root: here('.'),
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: here('./tsconfig.json') },
  },
});
