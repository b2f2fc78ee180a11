import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  platform: 'node',
  target: 'node18',
  // Keep `node:crypto` as written: Deno and workerd's nodejs_compat resolve only prefixed names.
  removeNodeProtocol: false,
});
