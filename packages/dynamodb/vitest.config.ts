import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

export default defineProject({
  // The README example imports the package by name.
  resolve: { alias: { '@x/together-webhooks-dynamodb': fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    name: 'dynamodb',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.ts'],
    // The process and fault tests start servers and wait out leases: keep generous margins on 2 cores.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // The SDK warns on Node 20 about its releases of 2027; noise in these tests.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
