import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Test configuration for one build of the core: tests import the package by name, and `#crypto`
 * points at the implementation that build bundles.
 */
export function coreProject(
  name: string,
  crypto: 'node' | 'portable',
  test: NonNullable<ViteUserConfig['test']> = {},
): ViteUserConfig {
  return {
    resolve: {
      alias: {
        '#crypto': here(`./src/crypto/${crypto}.ts`),
        '@x/together-webhooks-core/testing': here('./src/testing/index.ts'),
        '@x/together-webhooks-core': here('./src/index.ts'),
      },
    },
    test: { name, root: here('.'), include: ['test/**/*.test.ts'], ...test },
  };
}
