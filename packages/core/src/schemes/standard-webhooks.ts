/**
 * @module schemes/standard-webhooks — the Standard Webhooks specification (standardwebhooks.com),
 * which Together's peers sign with: `webhook-id`, `webhook-timestamp` (Unix seconds) and
 * `webhook-signature` (space-separated `v1,<base64 HMAC-SHA256>` entries) over
 * `<id>.<timestamp>.<body>`, keyed with the bytes of a `whsec_<base64>` secret. The body is
 * `{ type, timestamp, data }`; the event handed to handlers carries the `webhook-id` as its `id`.
 */
import { base64Encode, hmacSha256 } from '#crypto';
import { equalStrings } from '../bytes.js';
import { reject } from '../errors.js';
import type { TogetherEvent } from '../events.js';
import { readHeaders } from '../headers.js';
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

const HEADER_NAMES = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

/** The names of this scheme's headers. */
export type StandardWebhooksHeaderName = (typeof HEADER_NAMES)[number];

const SECRET_PREFIX = 'whsec_';
// Standard base64, padding optional: what `whsec_` secrets hold.
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const VERSION = 'v1,';

/** The key bytes of a `whsec_<base64>` secret (or its bare base64), or a `TypeError` naming the fix. */
function decodeSecret(secret: string, index: number): Uint8Array {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  // atob ignores some malformations and throws on others: check the alphabet and length first, so
  // every runtime decides alike.
  if (!BASE64.test(encoded) || encoded.replace(/=+$/, '').length % 4 === 1) {
    throw new TypeError(`secret${index === 0 ? '' : `[${index}]`} is not a Standard Webhooks secret: whsec_ followed by base64`);
  }
  const binary = atob(encoded.padEnd(Math.ceil(encoded.length / 4) * 4, '='));
  const key = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) key[i] = binary.charCodeAt(i);
  return key;
}

const verifier: SchemeVerifier = {
  keys: (secrets) => secrets.map(decodeSecret),
  read(headers) {
    const [id, timestamp, signatures] = readHeaders(headers, HEADER_NAMES);
    if (isBlank(signatures)) return reject('missing_signature', 'webhook-signature missing: do proxies forward it?');
    if (isBlank(id)) return reject('missing_id', 'webhook-id missing: do proxies forward it?');
    const checked = checkTimestamp(timestamp, 'webhook-timestamp missing: do proxies forward it?', 'webhook-timestamp must be Unix seconds');
    return { id, signatures, timestamp: checked, prefix: `${id}.${checked}.` };
  },
  // Entries of another version (`v1a`, asymmetric) are skipped, not errors. Every `v1` entry is
  // compared with every digest, whatever matched before, in constant time.
  matches(keys, { prefix, signatures }, body) {
    const entries = signatures.split(/ +/, MAX_SIGNATURES + 3).filter((entry) => entry !== '');
    if (entries.length > MAX_SIGNATURES) return false;
    let matched = false;
    for (const key of keys) {
      const expected = base64Encode(hmacSha256(key, prefix, body));
      for (const entry of entries) {
        matched = (entry.startsWith(VERSION) && equalStrings(expected, entry.slice(VERSION.length))) || matched;
      }
    }
    return matched;
  },
  // The payload is { type, timestamp, data, ... }; the idempotency key is the webhook-id header,
  // which stays the same across a sender's retries.
  event(payload, { id }) {
    if (!isNonEmptyString(payload.type) || !isObject(payload.data)) return undefined;
    const { timestamp, ...rest } = payload;
    return { ...rest, id, created: timestamp } as unknown as TogetherEvent;
  },
};

const signer: SchemeSigner<StandardWebhooksHeaderName> = {
  sign(body, keys, timestamp, id) {
    if (!isNonEmptyString(id)) throw new TypeError('id is required to sign with the Standard Webhooks scheme (the webhook-id header)');
    const prefix = `${id}.${timestamp}.`;
    return {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      // Several keys (a sender rotating its secret) give one entry each, space-separated.
      'webhook-signature': keys.map((key) => VERSION + base64Encode(hmacSha256(key, prefix, body))).join(' '),
    };
  },
  encode({ id: _id, created, ...rest }: { id: string; created?: unknown; type: string; data: object }) {
    return JSON.stringify({ ...rest, timestamp: created });
  },
};

const standardWebhooks: WebhookScheme<StandardWebhooksHeaderName> = /* @__PURE__ */ Object.freeze({
  name: 'standard-webhooks',
  headerNames: HEADER_NAMES,
  verifier,
  signer,
});

/**
 * The Standard Webhooks scheme (standardwebhooks.com), as OpenAI and other Together peers sign:
 * a delivery from the watcher signed with it verifies with the official Standard Webhooks
 * libraries in any language, and theirs with this one. Secrets are `whsec_<base64>` (the bare
 * base64 is accepted too); a secret that is not base64 is a `TypeError` when the receiver is made.
 * One more rejection code: `missing_id` (401, no `webhook-id`).
 *
 * @returns the scheme, for the `scheme` option of `verify`, `sign`, `createWebhooks` and the test kit
 * @example
 * ```ts
 * import { createWebhooks, memoryStore, standardWebhooksScheme } from '@x/together-webhooks-core';
 *
 * const webhooks = createWebhooks({
 *   secret: process.env.WEBHOOK_SECRET!, // whsec_...
 *   scheme: standardWebhooksScheme(),
 *   store: memoryStore(),
 * });
 * ```
 */
export function standardWebhooksScheme(): WebhookScheme<StandardWebhooksHeaderName> {
  return standardWebhooks;
}
