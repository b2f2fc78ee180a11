import { defineProject } from 'vitest/config';
import { coreProject } from './vitest.shared.js';

export default defineProject(coreProject('core-node', 'node'));
