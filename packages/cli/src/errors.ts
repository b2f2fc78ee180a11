/**
 * @module errors — the two ways a command ends unsuccessfully: the arguments were wrong (exit 2,
 * with the command's usage), or the command ran and the answer is no (exit 1, one line).
 */

/** Bad arguments: the command did not run. Exit code 2, followed by the command's usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The command ran and failed (a request went wrong, a delivery did not verify). Exit code 1. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

/** Exit codes, documented in the README. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
