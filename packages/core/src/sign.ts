/**
 * @module sign — producing the headers of a signed delivery (for tests, tools and senders).
 */
import { hmacSha256 } from '#crypto';
import { encodeHex, normalizeBody } from './bytes.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from './headers.js';
import { assertSecret } from './options.js';

/** Options of {@link sign}. */
export interface SignOptions {
  /** The webhook secret. */
  secret: string;
  /** Unix time in whole seconds. Default: now. */
  timestamp?: number;
}

/** The headers that make a body a signed delivery. */
export type SignatureHeaders = Record<typeof SIGNATURE_HEADER | typeof TIMESTAMP_HEADER, string>;

/**
 * Signs a body the way Together signs deliveries: HMAC-SHA256 of `<timestamp>.<body bytes>`.
 *
 * @param body - the exact bytes (or text, signed as UTF-8) that will be sent
 * @param options - the secret and, optionally, the timestamp in Unix seconds
 * @returns the `x-together-signature` and `x-together-timestamp` headers
 * @example
 * ```ts
 * import { sign } from '@x/together-webhooks-core';
 *
 * const body = JSON.stringify({ id: 'evt_1', type: 'batch.completed', created: new Date().toISOString(), data: {} });
 * await fetch('http://127.0.0.1:3000/webhooks', { method: 'POST', body, headers: sign(body, { secret }) });
 * ```
 */
export function sign(body: string | Uint8Array, options: SignOptions): SignatureHeaders {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object with a secret');
  assertSecret(options.secret);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp)) {
    throw new TypeError('timestamp must be an integer number of seconds');
  }
  // verify() reads at most 15 digits: never produce a delivery it must reject.
  if (timestamp < 0 || timestamp > 999_999_999_999_999) throw new RangeError('timestamp must be 0 to 15 digits of seconds');
  const digest = hmacSha256(options.secret, `${timestamp}.`, normalizeBody(body));
  return { [SIGNATURE_HEADER]: encodeHex(digest), [TIMESTAMP_HEADER]: String(timestamp) };
}
