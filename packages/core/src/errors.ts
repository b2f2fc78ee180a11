/**
 * @module errors — the one error type verification throws, with a stable `code` and the HTTP
 * `status` an endpoint should answer.
 */

/** Every reason a delivery can be rejected. Stable: code outside this package switches on it. */
export type WebhookVerificationErrorCode =
  | 'missing_signature'
  | 'missing_timestamp'
  | 'missing_id'
  | 'invalid_timestamp'
  | 'signature_mismatch'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'payload_too_large'
  | 'invalid_payload';

/** The HTTP status an endpoint should answer for each code (spec section 5). */
export const verificationErrorStatus: Readonly<Record<WebhookVerificationErrorCode, 400 | 401 | 413>> = {
  missing_signature: 401,
  missing_timestamp: 401,
  missing_id: 401,
  invalid_timestamp: 401,
  signature_mismatch: 401,
  timestamp_too_old: 401,
  timestamp_in_future: 401,
  payload_too_large: 413,
  invalid_payload: 400,
};

// Messages say what to do, briefly (they ship in every bundle, so no word that says nothing). None
// can carry the secret or the expected signature: they are fixed text, chosen by code. `missing_id`
// has none here: only the Standard Webhooks scheme rejects with it, and passes its own.
const messages: Readonly<Partial<Record<WebhookVerificationErrorCode, string>>> = {
  missing_signature: 'x-together-signature missing: do proxies forward it?',
  missing_timestamp: 'x-together-timestamp missing: do proxies forward it?',
  invalid_timestamp: 'x-together-timestamp must be Unix seconds',
  signature_mismatch: 'no signature matches: check the secret; pass the raw body bytes',
  timestamp_too_old: 'authentic but too old (replay or clock skew): sync clocks or raise toleranceSeconds',
  timestamp_in_future: 'authentic but in the future (clock skew): sync clocks or raise toleranceSeconds',
  payload_too_large: 'body over maxBodyBytes: raise it',
  invalid_payload: 'authentic, but not JSON or not an event envelope',
};

/**
 * The prototype property that marks this package's errors, whichever build made them: an app that
 * loads two builds (an ESM core beside a CJS adapter, the dual-package hazard) has two classes of
 * each name, and a plain prototype check fails between them. A string key, not a symbol held in
 * a variable, and spelled out in each class (`get 'together-webhooks:error'()`): a class
 * member under a variable's key keeps the class in every bundle, used or not.
 * @internal
 */
export const ERROR_BRAND = 'together-webhooks:error';

/**
 * `instanceof` for a branded error class: true for a value whose brand (the class's name, from
 * any build of the package) is the class's own; a subclass, which does not own the brand, checks
 * as usual.
 * @internal
 */
export function isBranded(cls: { prototype: object }, value: unknown): boolean {
  const own = cls.prototype as Record<string, unknown>;
  return Object.hasOwn(own, ERROR_BRAND)
    ? (value as Record<string, unknown> | null | undefined)?.[ERROR_BRAND] === own[ERROR_BRAND]
    : // A class's prototype inherits Object.prototype's isPrototypeOf: the ordinary instanceof.
      // eslint-disable-next-line no-prototype-builtins
      own.isPrototypeOf(value as object);
}

/**
 * Thrown by `verify` and `verifySync` when a delivery must be rejected. `instanceof` holds for
 * errors made by any build of the package (ESM, CJS, portable), so mixing builds is safe.
 *
 * @example
 * ```ts
 * try {
 *   await verify(request, { secret });
 * } catch (error) {
 *   if (error instanceof WebhookVerificationError) {
 *     return new Response(error.code, { status: error.status });
 *   }
 *   throw error;
 * }
 * ```
 */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  /** Why the delivery was rejected. */
  declare readonly code: WebhookVerificationErrorCode;
  /** The HTTP status to answer: 401, 400 or 413. */
  declare readonly status: 400 | 401 | 413;

  /** Recognises instances of every build of the package (see {@link isBranded}). */
  static override [Symbol.hasInstance](value: unknown): value is WebhookVerificationError {
    return isBranded(this, value);
  }

  /** The mark every build recognises; on the prototype, so an error costs nothing more. @internal */
  get 'together-webhooks:error'(): string {
    return 'WebhookVerificationError';
  }

  /**
   * @param code - the reason; also picks the status
   * @param message - replaces the standard message for that code
   */
  constructor(code: WebhookVerificationErrorCode, message: string = messages[code] ?? code) {
    super(message);
    this.code = code;
    // Derived, not looked up in verificationErrorStatus, so a bundle of verify() alone leaves the
    // table out; a test keeps the two equal.
    this.status = code === 'payload_too_large' ? 413 : code === 'invalid_payload' ? 400 : 401;
  }
}

/**
 * Throws a {@link WebhookVerificationError} without capturing a stack trace: a rejection is an
 * expected outcome on a hot path (an attacker can send many), and a stack costs more than the HMAC.
 * @internal
 */
export function reject(code: WebhookVerificationErrorCode, message?: string): never {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const error = new WebhookVerificationError(code, message);
  Error.stackTraceLimit = limit;
  throw error;
}
