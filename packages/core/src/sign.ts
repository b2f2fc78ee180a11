/**
 * @module sign — producing the headers of a signed delivery (for tests, tools and senders).
 */
import { normalizeBody } from './bytes.js';
import type { SIGNATURE_HEADER, TIMESTAMP_HEADER } from './headers.js';
import { secretList } from './options.js';
import type { WebhookScheme } from './schemes/scheme.js';
import { togetherScheme, type TogetherHeaderName } from './schemes/together.js';

/** Options of {@link sign}. */
export interface SignOptions<HeaderName extends string = TogetherHeaderName> {
  /**
   * The webhook secret; or several during a rotation window, each giving one signature, so a
   * receiver configured with either verifies.
   */
  secret: string | readonly string[];
  /** Unix time in whole seconds. Default: now. */
  timestamp?: number;
  /** The scheme to sign with. Default `togetherScheme()`. */
  scheme?: WebhookScheme<HeaderName>;
  /** The message id, which Standard Webhooks carries in the `webhook-id` header (required there). */
  id?: string;
}

/** The headers that make a body a signed delivery in the default scheme. */
export type SignatureHeaders = Record<typeof SIGNATURE_HEADER | typeof TIMESTAMP_HEADER, string>;

/**
 * Signs a body as a sender does (this project's watcher, or your own code): for the default scheme,
 * HMAC-SHA256 of `<timestamp>.<body bytes>` as hex in `x-together-signature`; for
 * `standardWebhooksScheme()`, the `webhook-*` headers over `<id>.<timestamp>.<body>`.
 *
 * @param body - the exact bytes (or text, signed as UTF-8) that will be sent
 * @param options - the secret (or several), optionally the timestamp in Unix seconds, the scheme and its message id
 * @returns the scheme's signature headers
 * @example
 * ```ts
 * import { sign } from '@x/together-webhooks-core';
 *
 * const body = JSON.stringify({ id: 'evt_1', type: 'batch.completed', created: new Date().toISOString(), data: {} });
 * await fetch('http://127.0.0.1:3000/webhooks', { method: 'POST', body, headers: sign(body, { secret }) });
 * ```
 */
export function sign<HeaderName extends string = TogetherHeaderName>(
  body: string | Uint8Array,
  options: SignOptions<HeaderName>,
): Record<HeaderName, string> {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object with a secret');
  const scheme = (options.scheme ?? togetherScheme()) as WebhookScheme<HeaderName>;
  if (typeof scheme.signer?.sign !== 'function') throw new TypeError('scheme must be togetherScheme() or standardWebhooksScheme()');
  const keys = scheme.verifier.keys(secretList(options.secret));
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp)) {
    throw new TypeError('timestamp must be an integer number of seconds');
  }
  // verify() reads at most 15 digits: never produce a delivery it must reject.
  if (timestamp < 0 || timestamp > 999_999_999_999_999) throw new RangeError('timestamp must be 0 to 15 digits of seconds');
  return scheme.signer.sign(normalizeBody(body), keys, timestamp, options.id);
}
