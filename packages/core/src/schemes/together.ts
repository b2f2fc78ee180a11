/**
 * @module schemes/together — this project's own wire format (spec section 3): `x-together-signature`
 * holds lowercase-hex HMAC-SHA256 of `<timestamp>.<body>`, `x-together-timestamp` the Unix seconds,
 * and the body is the event envelope itself. Together AI sends no webhooks: the senders are this
 * project's watcher and the user's own code.
 */
import { equalsHex, hmacSha256 } from '#crypto';
import { encodeHex } from '../bytes.js';
import { reject } from '../errors.js';
import type { TogetherEvent } from '../events.js';
import { readHeaders, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../headers.js';
import {
  checkTimestamp,
  isBlank,
  isNonEmptyString,
  isObject,
  MAX_SIGNATURES,
  type SchemeSigner,
  type SchemeVerifier,
  type WebhookScheme,
} from './scheme.js';

const HEADER_NAMES = [SIGNATURE_HEADER, TIMESTAMP_HEADER] as const;

/** The names of this scheme's headers. */
export type TogetherHeaderName = (typeof HEADER_NAMES)[number];

/** Verification of the default scheme: what `verify` bundles when no scheme is passed. @internal */
export const togetherVerifier: SchemeVerifier = {
  // The secret's UTF-8 text is the key.
  keys: (secrets) => secrets,
  read(headers) {
    const [signatures, timestamp] = readHeaders(headers, HEADER_NAMES);
    if (isBlank(signatures)) return reject('missing_signature');
    const checked = checkTimestamp(timestamp);
    return { signatures, timestamp: checked, prefix: `${checked}.` };
  },
  // Every listed signature is compared with every digest, whatever matched before, so the time
  // taken does not tell which one matched.
  matches(digests, { signatures }) {
    // The common case, one signature and one secret, needs no list.
    if (digests.length === 1 && signatures.length === 64) return equalsHex(digests[0]!, signatures);
    // The split stops after a few entries, so a huge header costs no more than a short one; the
    // two allowed beyond the maximum are the empty strings a leading and a trailing separator leave.
    const list = signatures.split(/[\s,]+/, MAX_SIGNATURES + 3).filter((signature) => signature !== '');
    if (list.length > MAX_SIGNATURES) return false;
    let matched = false;
    for (const expected of digests) {
      for (const signature of list) matched = equalsHex(expected, signature) || matched;
    }
    return matched;
  },
  // The envelope is the payload: id and type non-empty strings, data an object; the rest kept.
  event: (payload) =>
    isNonEmptyString(payload.id) && isNonEmptyString(payload.type) && isObject(payload.data) ? (payload as unknown as TogetherEvent) : undefined,
};

// The envelope itself is the body. (A function of its own: the scheme object references it by
// name, and a property read such as `signer.encode` would keep the signer in every bundle.)
const encode = (event: { id: string; type: string; data: object }): string => JSON.stringify(event);

const togetherSigner: SchemeSigner<TogetherHeaderName> = {
  sign: (body, keys, timestamp) => ({
    // Several keys (a sender rotating its secret) give one signature each, `,`-separated.
    [SIGNATURE_HEADER]: keys.map((key) => encodeHex(hmacSha256(key, `${timestamp}.`, body))).join(','),
    [TIMESTAMP_HEADER]: String(timestamp),
  }),
  encode,
};

const together: WebhookScheme<TogetherHeaderName> = /* @__PURE__ */ Object.freeze({
  name: 'together',
  headerNames: HEADER_NAMES,
  encode,
  verifier: togetherVerifier,
  signer: togetherSigner,
});

/**
 * This project's own signature scheme, the default everywhere: `x-together-signature` (hex
 * HMAC-SHA256 of `<timestamp>.<body>`, several `,`-separated during a rotation) and
 * `x-together-timestamp`. The watcher signs with it unless told otherwise.
 *
 * @returns the scheme, for the `scheme` option of `verify`, `sign` and `createWebhooks`
 * @example
 * ```ts
 * import { togetherScheme, verify } from '@x/together-webhooks-core';
 *
 * const event = await verify(request, { secret, scheme: togetherScheme() }); // the same as no scheme
 * ```
 */
export function togetherScheme(): WebhookScheme<TogetherHeaderName> {
  return together;
}
