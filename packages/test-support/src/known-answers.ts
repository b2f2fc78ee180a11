/**
 * @module known-answers — the test that keeps a committed known-answer file honest: it rebuilds
 * the file's contents, their signatures computed by OpenSSL (`./openssl`), and compares them with
 * the file; with `UPDATE_VECTORS=1` it writes the file instead. Without openssl it skips loudly
 * (the probe runs when this module is imported), except under CI, where it fails.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { opensslAvailable } from './openssl.js';
import { missing, skipWithout } from './runtimes.js';

const OPENSSL_FIX = 'apt-get install -y openssl';
const available = opensslAvailable();

/** Whether to skip the tests that run openssl: never under CI (there they fail); elsewhere, when it is missing, said on stderr. */
export const skipWithoutOpenssl = skipWithout('openssl', available, OPENSSL_FIX, 'the tests that compute known answers with OpenSSL');

/** Throws, naming the fix, when openssl is missing: under CI the tests that need it run, and fail here. */
export function assertOpenssl(): void {
  if (!available) throw missing('openssl', OPENSSL_FIX);
}

/** A committed known-answer file and how to rebuild it. */
export interface KnownAnswerFile<Contents> {
  /** The committed file. */
  path: URL;
  /** Its contents, rebuilt: this is where OpenSSL runs. */
  build: () => Contents;
  /** Its text as committed; `JSON.stringify(contents, null, 2)` and a newline when not given. */
  format?: (contents: Contents) => string;
}

const asJson = (contents: unknown): string => `${JSON.stringify(contents, null, 2)}\n`;

/**
 * Registers "the committed vectors are what OpenSSL computes today": one test per file, which
 * rebuilds its contents and expects them to equal the committed file's, or, with
 * `UPDATE_VECTORS=1`, writes them to it.
 *
 * @param files - the committed files, each with how to rebuild it
 * @example
 * ```ts
 * describeKnownAnswers([{ path: new URL('./fixtures/vectors.json', import.meta.url), build: vectorsFile }]);
 * ```
 */
export function describeKnownAnswers<Contents>(files: readonly KnownAnswerFile<Contents>[]): void {
  const rows = files.map((file) => {
    const path = fileURLToPath(file.path);
    return [`${basename(dirname(path))}/${basename(path)}`, file] as const;
  });
  describe.skipIf(skipWithoutOpenssl)('the committed vectors are what OpenSSL computes today', () => {
    it.each(rows)('%s', (_name, file) => {
      assertOpenssl();
      const contents = file.build();
      if (process.env.UPDATE_VECTORS === '1') {
        writeFileSync(file.path, (file.format ?? asJson)(contents));
        return;
      }
      expect(contents, 'the committed file differs from what OpenSSL computes: rerun with UPDATE_VECTORS=1 and review the diff').toEqual(
        JSON.parse(readFileSync(file.path, 'utf8')),
      );
    });
  });
}
