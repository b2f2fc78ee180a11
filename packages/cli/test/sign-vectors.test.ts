/**
 * The committed fixtures/sign-vectors.json is what OpenSSL computes today (no build needed: no
 * child runs the command line). `UPDATE_VECTORS=1` rewrites it instead.
 */
import { describeKnownAnswers } from '@x/together-webhooks-test-support/known-answers';
import { formatSignVectors, signVectorsFile } from './fixtures/sign-vectors.js';

describeKnownAnswers([{ path: new URL('./fixtures/sign-vectors.json', import.meta.url), build: signVectorsFile, format: formatSignVectors }]);
