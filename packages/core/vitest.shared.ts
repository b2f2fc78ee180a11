import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Which `#crypto` implementation the project's tests run against. */
    coreBuild: 'node' | 'portable';
  }
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The core's type tests: the `*.test-d.ts` files of `test/`, whose `expectTypeOf` and
 * `@ts-expect-error` lines tsc checks. They do not depend on the build, so exactly one project
 * (core-node) runs them.
 */
export const typeTests = { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: here('./tsconfig.json') };

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
        '@x/together-webhooks-core/internal': here('./src/internal.ts'),
        '@x/together-webhooks-core': here('./src/index.ts'),
      },
    },
    // `coreBuild` lets a test assert that it runs against the build its project names.
    test: { name, root: here('.'), include: ['test/**/*.test.ts'], provide: { coreBuild: crypto }, ...test },
  };
}
