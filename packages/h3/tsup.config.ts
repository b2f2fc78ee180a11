import { defineConfig } from 'tsup';
import { bundleNodeHttp, packageBuild } from '../../tsup.shared.js';

export default defineConfig({ ...packageBuild, ...bundleNodeHttp });
