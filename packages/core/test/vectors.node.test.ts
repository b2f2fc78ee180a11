/**
 * The committed known-answer files of test/vectors/ are what OpenSSL computes today (Node only:
 * OpenSSL runs as a child process). `UPDATE_VECTORS=1` rewrites them instead.
 */
import { describeKnownAnswers } from '@x/together-webhooks-test-support/known-answers';
import { VECTOR_NAMES, vectorFile } from './vectors/vector-files.js';

describeKnownAnswers(VECTOR_NAMES.map((name) => ({ path: new URL(`./vectors/${name}.json`, import.meta.url), build: () => vectorFile(name) })));
