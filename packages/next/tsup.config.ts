import { defineConfig } from 'tsup';
import { bundleNodeHttp, packageBuild } from '../../tsup.shared.js';

export default defineConfig({
  ...packageBuild,
  ...bundleNodeHttp,
  // The route handler runs in the edge runtime too: nothing here may need Node at import time.
  platform: 'neutral',
  target: 'es2022',
});
