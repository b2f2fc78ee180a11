import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

// Only Fetch APIs: the same build runs on Node, Bun, Deno and Workers.
export default defineConfig({ ...packageBuild, platform: 'neutral' });
