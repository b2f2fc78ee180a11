import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';

// Both builds compile the same sources; only the module behind `#crypto` differs.
function cryptoImplementation(file: string): NonNullable<Options['esbuildPlugins']>[number] {
  const path = fileURLToPath(new URL(file, import.meta.url));
  return {
    name: 'crypto-implementation',
    setup(build) {
      build.onResolve({ filter: /^#crypto$/ }, () => ({ path }));
    },
  };
}

const shared: Options = {
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
};

export default defineConfig([
  {
    ...shared,
    entry: { index: 'src/index.ts' },
    outDir: 'dist/node',
    platform: 'node',
    target: 'node18',
    // Keep `node:` specifiers: Deno and workerd's nodejs_compat resolve only the prefixed names,
    // and browser bundlers may swap bare `crypto`/`buffer` for npm polyfills.
    removeNodeProtocol: false,
    esbuildPlugins: [cryptoImplementation('./src/crypto/node.ts')],
  },
  {
    ...shared,
    entry: { index: 'src/index.ts' },
    outDir: 'dist/portable',
    platform: 'neutral',
    target: 'es2022',
    // Bundled so the published package keeps zero runtime dependencies.
    noExternal: ['@noble/hashes'],
    esbuildPlugins: [cryptoImplementation('./src/crypto/portable.ts')],
  },
  {
    ...shared,
    // For this project's own tools (the CLI): Node only, no classes, so nothing to keep in step.
    entry: { index: 'src/internal.ts' },
    outDir: 'dist/internal',
    platform: 'node',
    target: 'node18',
    removeNodeProtocol: false,
    esbuildPlugins: [cryptoImplementation('./src/crypto/node.ts')],
  },
  {
    ...shared,
    entry: { index: 'src/testing/index.ts' },
    outDir: 'dist/testing',
    platform: 'neutral',
    target: 'es2022',
    // The kit imports the package itself, so each runtime gets the build its conditions select.
    external: ['@x/together-webhooks-core'],
  },
]);
