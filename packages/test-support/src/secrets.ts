/**
 * @module secrets — the secrets the tests sign with. Runtime-neutral: the receivers of the case
 * table import them inside Bun, Deno and workerd too.
 */

/** The secret every adapter test signs with, in this project's `x-together-*` scheme. */
export const TEST_SECRET = 'whsec_adapter_tests_only';

/** A Standard Webhooks secret (`whsec_` and the base64 of the key bytes) for the same tests. */
export const STANDARD_TEST_SECRET = 'whsec_dGhlIGFkYXB0ZXIgdGVzdHMnIFN0YW5kYXJkIFdlYmhvb2tzIGtleQ==';
