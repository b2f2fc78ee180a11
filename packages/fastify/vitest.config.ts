import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { sourceAliases } from '../test-support/src/aliases.js';

export default defineProject({
  resolve: { alias: sourceAliases() },
  test: {
    name: 'fastify',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
  },
});
