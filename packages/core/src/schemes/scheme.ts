/**
 * @module schemes/scheme — what a signature scheme is: one small interface that `verify`, `sign`
 * and the test kit call, implemented once per scheme (`together.ts`, `standard-webhooks.ts`).
 * Adding a scheme is one more file here and touches no other.
 */
import { reject } from '../errors.js';
import type { TogetherEvent } from '../events.js';
import type { HeadersLike } from '../headers.js';

/** Most signatures one header may carry; more is a mismatch, so the work per request is bounded. */
export const MAX_SIGNATURES = 8;

/** Whole seconds, digits only; 15 digits keep the value an exact integer. */
export const TIMESTAMP_PATTERN = /^[0-9]{1,15}$/;

/** An HMAC key: a secret's UTF-8 text, or key bytes a scheme decoded from the secret. */
export type HmacKey = string | Uint8Array;

/** What a scheme reads from a delivery's headers, before its body. */
export interface SignedParts {
  /** What was signed before the body: `<timestamp>.`, or `<id>.<timestamp>.`. */
  prefix: string;
  /** The signature header as received. */
  signatures: string;
  /** Unix seconds, checked to be digits. */
  timestamp: string;
  /** The message id, for a scheme that carries it in a header. */
  id?: string;
}

/** The part of a scheme verification needs. Kept apart from signing, so `verify` bundles no signer. */
export interface SchemeVerifier {
  /** The secrets as HMAC keys, each checked; decoded once per receiver. Throws a `TypeError` for a malformed one. */
  keys(secrets: readonly string[]): readonly HmacKey[];
  /** Reads and checks the headers; rejects (`missing_*`, `invalid_timestamp`) before the body is read. */
  read(headers: HeadersLike): SignedParts;
  /**
   * Whether any listed signature (at most {@link MAX_SIGNATURES}) is one of `digests`: the
   * HMAC-SHA256 of prefix + body under each key, computed by the caller (synchronously, or with
   * Web Crypto where `verify()` can wait for it).
   */
  matches(digests: readonly Uint8Array[], parts: SignedParts): boolean;
  /** The event an authentic payload carries, or `undefined` when it is not one. */
  event(payload: Record<string, unknown>, parts: SignedParts): TogetherEvent | undefined;
}

/** The part of a scheme a sender needs. */
export interface SchemeSigner<HeaderName extends string> {
  /** The signature headers of `body`, signed with every key at `timestamp`. */
  sign(body: string | Uint8Array, keys: readonly HmacKey[], timestamp: number, id: string | undefined): Record<HeaderName, string>;
  /** The body a sender sends for `event`. */
  encode(event: { id: string; type: string; data: object }): string;
}

/**
 * A signature scheme: where a delivery carries its signature, and over what. Pass one as `scheme`
 * to `verify`, `verifySync`, `sign`, `createWebhooks` and the test kit; the default is
 * {@link togetherScheme}. Made only by this package's scheme functions.
 */
export interface WebhookScheme<HeaderName extends string = string> {
  /** `together` or `standard-webhooks`. */
  readonly name: string;
  /** The headers it signs with, lowercase. */
  readonly headerNames: readonly HeaderName[];
  /**
   * The body a sender sends for `event` in this scheme: the envelope itself (`together`), or
   * `{ type, timestamp, data, ... }` with the id left to the `webhook-id` header (Standard
   * Webhooks). Sign it with `sign(body, { secret, scheme, id: event.id })`.
   */
  encode(event: { id: string; type: string; data: object }): string;
  /** @internal */
  readonly verifier: SchemeVerifier;
  /** @internal */
  readonly signer: SchemeSigner<HeaderName>;
}

/**
 * The checked timestamp header, or the rejection for a missing or malformed one, with `messages`
 * naming the scheme's header (the default scheme's are the standard messages).
 * @internal
 */
export function checkTimestamp(timestamp: string | undefined, missing?: string, invalid?: string): string {
  // Absent or empty: both are falsy, and no other string is.
  if (!timestamp) return reject('missing_timestamp', missing);
  return TIMESTAMP_PATTERN.test(timestamp) ? timestamp : reject('invalid_timestamp', invalid);
}

/** Whether a signature header is missing: absent, empty or blank. @internal */
export function isBlank(value: string | undefined): value is undefined {
  // trim() only when the first character could be whitespace: the common case allocates nothing.
  return !value || (value.charCodeAt(0) <= 32 && !value.trim());
}

/** Whether `value` is a non-empty string. @internal */
export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** Whether `value` is a plain JSON object (not an array, not null). @internal */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
