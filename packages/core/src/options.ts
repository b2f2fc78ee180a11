/**
 * @module options — verification options, their defaults, and the checks that turn a
 * misconfiguration into a `TypeError` instead of a 401.
 */
import type { HmacKey, SchemeVerifier, WebhookScheme } from './schemes/scheme.js';
import { togetherVerifier } from './schemes/together.js';

/** Options of `verify` and `verifySync`. */
export interface VerifyOptions {
  /** The webhook secret, or several during a rotation: a delivery signed with any of them verifies. */
  secret: string | readonly string[];
  /** Replay window in seconds, in both directions. Default 300. */
  toleranceSeconds?: number;
  /** Largest body accepted, in bytes, checked before hashing. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Current time in milliseconds since the epoch; for tests. Default `Date.now`. */
  now?: () => number;
  /**
   * Where the signature is and over what: `togetherScheme()` (the default, this project's own
   * `x-together-*` headers) or `standardWebhooksScheme()`.
   */
  scheme?: WebhookScheme;
}

/** Default replay window: five minutes either way. */
export const DEFAULT_TOLERANCE_SECONDS = 300;
/** Default largest body: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Checks one secret: a non-empty string without surrounding whitespace (a copy-paste accident
 * that would otherwise look like every delivery being forged).
 * @internal
 */
export function assertSecret(secret: unknown, name = 'secret'): asserts secret is string {
  if (typeof secret !== 'string' || secret === '') throw new TypeError(`${name} must be a non-empty string`);
  if (secret.trim() !== secret) throw new TypeError(`${name} has surrounding whitespace (a copied newline?): trim it`);
}

/** Returns the configured secrets as a list, each checked. @internal */
export function secretList(secret: unknown): readonly string[] {
  if (typeof secret === 'string') {
    assertSecret(secret);
    return [secret];
  }
  if (!Array.isArray(secret) || secret.length === 0) {
    throw new TypeError('secret must be a string or non-empty array');
  }
  secret.forEach((item, index) => assertSecret(item, `secret[${index}]`));
  return secret as readonly string[];
}

/** Checks an optional non-negative finite number option and returns it or its default. @internal */
export function numberOption(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  // Number.isFinite is false for anything but a finite number.
  if (!Number.isFinite(value) || (value as number) < 0) {
    throw new TypeError(`${name} must be a finite number >= 0`);
  }
  return value as number;
}

/** Said when `now` is not a function, or returns something other than a finite number. @internal */
export const NOW_ERROR = 'now must return epoch milliseconds';

/** Checked verification settings. @internal */
export interface ResolvedVerifyOptions {
  /** The scheme's verification. */
  verifier: SchemeVerifier;
  /** The secrets as the scheme's HMAC keys. */
  keys: readonly HmacKey[];
  toleranceSeconds: number;
  maxBodyBytes: number;
  now: () => number;
}

/**
 * Validates `options` once and fills in the defaults. `secrets` replaces `options.secret` for a
 * receiver that reads its secret later (it passes none, and adds the keys at first use).
 * @internal
 */
export function resolveVerifyOptions(
  options: Omit<VerifyOptions, 'secret'> & { secret?: unknown },
  secrets?: readonly string[],
): ResolvedVerifyOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object with a secret');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError(NOW_ERROR);
  // No scheme is the default one: then nothing of any other scheme is bundled.
  // A scheme is made only by this package's scheme functions (the type says so); anything else
  // fails on the next line with a TypeError, as every misconfiguration does.
  const verifier = options.scheme === undefined ? togetherVerifier : options.scheme.verifier;
  return {
    verifier,
    keys: verifier.keys(secrets ?? secretList(options.secret)),
    toleranceSeconds: numberOption(options.toleranceSeconds, 'toleranceSeconds', DEFAULT_TOLERANCE_SECONDS),
    maxBodyBytes: numberOption(options.maxBodyBytes, 'maxBodyBytes', DEFAULT_MAX_BODY_BYTES),
    now,
  };
}
