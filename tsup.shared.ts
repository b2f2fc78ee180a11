import type { Options } from 'tsup';

/**
 * The build every published package but the core shares: `src/index.ts` as ESM and CJS with
 * types, for Node 18 and later. A package spreads it and adds only what is its own.
 */
export const packageBuild: Options = {
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  platform: 'node',
  target: 'node18',
  // Keep `node:` specifiers as written: Deno and workerd's nodejs_compat resolve only those.
  removeNodeProtocol: false,
};

/** The private Node reader ships inside each Node adapter, never as a dependency. */
export const bundleNodeHttp: Options = { noExternal: ['@x/together-webhooks-node-http'] };
