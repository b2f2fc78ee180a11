/**
 * The committed conformance files, which every runtime runs (conformance/run-vectors.mjs), are what
 * OpenSSL computes today. `UPDATE_VECTORS=1` (`pnpm --filter @x/together-webhooks-runtimes vectors`)
 * rewrites them instead.
 */
import { describeKnownAnswers } from '@x/together-webhooks-test-support/known-answers';
import { standardWebhooksVectorsFile } from './vectors/standard-webhooks.js';
import { togetherVectorsFile } from './vectors/together.js';

describeKnownAnswers<unknown>([
  { path: new URL('../conformance/vectors.json', import.meta.url), build: togetherVectorsFile },
  { path: new URL('../conformance/standard-webhooks-vectors.json', import.meta.url), build: standardWebhooksVectorsFile },
]);
