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

// Messages say what to do. None of them can carry the secret or the expected signature:
// they are fixed text, chosen by code.
const messages: Readonly<Record<WebhookVerificationErrorCode, string>> = {
  missing_signature:
    'the x-together-signature header is missing: check that every proxy in front of this endpoint forwards it',
  missing_timestamp:
    'the x-together-timestamp header is missing: check that every proxy in front of this endpoint forwards it',
  invalid_timestamp: 'the x-together-timestamp header must be Unix time in whole seconds, decimal digits only',
  signature_mismatch:
    'no signature in x-together-signature matches the configured secret: check the secret, and pass the raw ' +
    'body bytes exactly as received (a body that was parsed and re-serialised, or decoded and re-encoded, ' +
    'is not the body that was signed)',
  timestamp_too_old:
    'the delivery is authentic but older than the replay window: a replay, or this clock is ahead of the ' +
    "sender's; sync the clock (NTP) or raise toleranceSeconds",
  timestamp_in_future:
    "the delivery is authentic but newer than the replay window: this clock is behind the sender's; sync " +
    'the clock (NTP) or raise toleranceSeconds',
  payload_too_large: 'the body is larger than maxBodyBytes: raise maxBodyBytes if deliveries this large are expected',
  invalid_payload: 'the delivery is authentic but its body is not a JSON event with a string id, a string type and an object data',
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
    this.status = verificationErrorStatus[code];
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
  try {
    throw new WebhookVerificationError(code, message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
