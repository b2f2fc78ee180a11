import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  // The route handler runs in the edge runtime too: nothing here may need Node at import time.
  platform: 'neutral',
  target: 'es2022',
  // The shared Node reader is private: it ships inside this package.
  noExternal: ['@x/together-webhooks-node-http'],
});
