import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { sourceAliases } from '../test-support/src/aliases.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The tests run against the sources of this package, the core and the Express adapter (no build
// needed); the example's test (examples/observability) runs the builds.
export default defineProject({
  resolve: {
    alias: [
      { find: /^@x\/together-webhooks-core\/testing$/, replacement: here('../core/src/testing/index.ts') },
      ...sourceAliases(),
      { find: /^@x\/together-webhooks-express$/, replacement: here('../express/src/index.ts') },
      { find: /^@x\/together-webhooks-otel$/, replacement: here('./src/index.ts') },
    ],
  },
  test: {
    name: 'otel',
    root: here('.'),
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
  },
});
