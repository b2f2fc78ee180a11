import { fileURLToPath } from 'node:url';

// The workspace root: the adapter, the core and the test-support package are linked from it.
const root = fileURLToPath(new URL('../../../..', import.meta.url));

/**
 * The app the table of delivery cases runs against under `next start`: its routes serve the
 * table's receivers at the table's paths. The Pages Router route behind the body parser lives
 * under /api, so the table's /webhooks/parsed is rewritten to it.
 *
 * @type {import('next').NextConfig}
 */
const config = {
  turbopack: { root },
  outputFileTracingRoot: root,
  transpilePackages: ['@x/together-webhooks-test-support'],
  // The test files are type-checked by the repository's own tsc run, not by each build.
  typescript: { ignoreBuildErrors: true },
  rewrites: async () => [{ source: '/webhooks/parsed', destination: '/api/parsed' }],
  // Built with webpack (next build --webpack): the test-support package is TypeScript source whose
  // ESM imports name `.js` files, which webpack maps to the `.ts` sources and Turbopack does not.
  webpack: (webpackConfig) => {
    webpackConfig.resolve.extensionAlias = { '.js': ['.ts', '.js'] };
    return webpackConfig;
  },
};

export default config;
