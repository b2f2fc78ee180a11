import { defineProject } from 'vitest/config';
import { coreProject } from './vitest.shared.js';

// The portable build inside Vercel's edge runtime VM: no Node built-ins, no Buffer. Node-only
// tests (slow property runs, fixtures read from disk) are named *.node.test.ts and excluded.
export default defineProject(
  coreProject('core-edge', 'portable', {
    environment: 'edge-runtime',
    exclude: ['test/**/*.node.test.ts'],
  }),
);
