import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

// Never published: each Node adapter bundles this build (tsup `noExternal`).
export default defineConfig(packageBuild);
