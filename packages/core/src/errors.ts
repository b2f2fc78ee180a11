/**
 * @module errors — the one error type verification throws, with a stable `code` and the HTTP
 * `status` an endpoint should answer.
 */

/** Every reason a delivery can be rejected. Stable: code outside this package switches on it. */
export type WebhookVerificationErrorCode =
  | 'missing_signature'
  | 'missing_timestamp'
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
  invalid_timestamp: 401,
  signature_mismatch: 401,
  timestamp_too_old: 401,
  timestamp_in_future: 401,
  payload_too_large: 413,
  invalid_payload: 400,
};

// Messages say what to do, briefly (they ship in every bundle). None can carry the secret or the
// expected signature: they are fixed text, chosen by code.
const messages: Readonly<Record<WebhookVerificationErrorCode, string>> = {
  missing_signature: 'x-together-signature header missing: check that proxies forward it',
  missing_timestamp: 'x-together-timestamp header missing: check that proxies forward it',
  invalid_timestamp: 'x-together-timestamp must be Unix seconds, digits only',
  signature_mismatch: 'no signature matches: check the secret, and pass the raw body bytes as received',
  timestamp_too_old: 'authentic but older than the replay window (replay or clock skew): sync clocks or raise toleranceSeconds',
  timestamp_in_future: 'authentic but newer than the replay window (clock skew): sync clocks or raise toleranceSeconds',
  payload_too_large: 'body over maxBodyBytes: raise it if deliveries this large are expected',
  invalid_payload: 'authentic, but not a JSON event object with a non-empty string id and type and an object data',
};

/**
 * Thrown by `verify` and `verifySync` when a delivery must be rejected.
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
  readonly code: WebhookVerificationErrorCode;
  /** The HTTP status to answer: 401, 400 or 413. */
  readonly status: 400 | 401 | 413;

  /**
   * @param code - the reason; also picks the status
   * @param message - replaces the standard message for that code
   */
  constructor(code: WebhookVerificationErrorCode, message: string = messages[code]) {
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
