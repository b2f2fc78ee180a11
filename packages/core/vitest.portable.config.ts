import { defineProject } from 'vitest/config';
import { coreProject } from './vitest.shared.js';

// The same suite against the @noble/hashes build that edge runtimes and browsers get.
export default defineProject(coreProject('core-portable', 'portable'));
