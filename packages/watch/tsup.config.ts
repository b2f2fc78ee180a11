import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  platform: 'node',
  target: 'node18',
  // The core is a peer (one copy shared with the app's receiver) and the client a dependency.
  external: ['@x/together-webhooks-core', 'together-ai'],
};

export default defineConfig([
  { ...shared, entry: { index: 'src/index.ts' }, outDir: 'dist' },
  { ...shared, entry: { index: 'src/testing/index.ts' }, outDir: 'dist/testing', clean: false },
]);
