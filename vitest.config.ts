// Vitest 4 reads only vitest.config.*; the projects are defined in vitest.workspace.ts.
export { default } from './vitest.workspace.js';
