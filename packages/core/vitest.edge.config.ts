import { defineProject } from 'vitest/config';
import { coreProject } from './vitest.shared.js';

// The portable build under vitest's edge-runtime environment. That environment overlays the edge
// globals on Node's own (Buffer, process and require stay reachable, and its Request needs
// Buffer), so it cannot prove on its own that the code runs at the edge: test/runtime.test.ts
// traps Node globals while the portable code runs, and test/edge-vm.node.test.ts runs the
// bundled portable build inside a pristine EdgeVM. Node-only tests (slow property runs, fixtures
// read from disk, the EdgeVM run) are named *.node.test.ts and excluded.
export default defineProject(
  coreProject('core-edge', 'portable', {
    environment: 'edge-runtime',
    exclude: ['test/**/*.node.test.ts'],
  }),
);
