import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

// The core is a peer (one copy shared with the app's receiver) and the client a dependency.
const shared = { ...packageBuild, external: ['@x/together-webhooks-core', 'together-ai'] };

export default defineConfig([
  { ...shared, outDir: 'dist' },
  { ...shared, entry: { index: 'src/testing/index.ts' }, outDir: 'dist/testing', clean: false },
]);
