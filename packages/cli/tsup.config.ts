import { defineConfig } from 'tsup';

// One ESM executable. The core stays an external dependency: installed beside the CLI, it is the
// same verifier the user's app runs.
export default defineConfig({
  entry: { bin: 'src/bin.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  treeshake: true,
  banner: { js: '#!/usr/bin/env node' },
  // The shared Node request reader is private: it ships inside the executable.
  noExternal: ['@x/together-webhooks-node-http'],
});
