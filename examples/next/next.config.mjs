import { fileURLToPath } from 'node:url';

// The workspace root: the adapter and the core are linked from ../../packages.
const root = fileURLToPath(new URL('../..', import.meta.url));

/** @type {import('next').NextConfig} */
const config = {
  turbopack: { root },
  outputFileTracingRoot: root,
};

export default config;
