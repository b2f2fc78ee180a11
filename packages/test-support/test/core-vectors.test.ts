/**
 * The core's committed known-answer files (packages/core/test/vectors/*.json, read by the core's
 * vectors.test.ts) are what OpenSSL computes today. `UPDATE_VECTORS=1` rewrites them instead:
 * `pnpm --filter @x/together-webhooks-test-support vectors`. (Here rather than in the core: the
 * core must not depend on this package, which depends on it.)
 */
import { describeKnownAnswers } from '../src/known-answers.js';
import { VECTOR_NAMES, vectorFile } from './core-vector-files.js';

describeKnownAnswers(
  VECTOR_NAMES.map((name) => ({ path: new URL(`../../core/test/vectors/${name}.json`, import.meta.url), build: () => vectorFile(name) })),
);
