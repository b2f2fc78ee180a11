import { defineProject } from 'vitest/config';
import { coreProject, typeTests } from './vitest.shared.js';

// The type tests run here only: the portable and edge projects check the same sources.
export default defineProject(coreProject('core-node', 'node', { typecheck: typeTests }));
