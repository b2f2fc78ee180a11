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

// Decoded keys by secret: verify() resolves its options on every call, and decoding costs more
// than the HMAC of a small body. Bounded: a rotation uses a handful.
const decoded = new Map<string, Uint8Array>();

/** The key bytes of a `whsec_<base64>` secret (or its bare base64), or a `TypeError` naming the fix. */
function decodeSecret(secret: string, index: number): Uint8Array {
  let key = decoded.get(secret);
  if (key) return key;
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  // atob ignores some malformations and throws on others: check the alphabet and length first, and
  // pad exactly (a stray `=` is forgiven), so every runtime decides alike.
  const digits = encoded.replace(/=+$/, '');
  if (!BASE64.test(encoded) || digits.length % 4 === 1) {
    throw new TypeError(`secret${index === 0 ? '' : `[${index}]`} is not a Standard Webhooks secret: whsec_ followed by base64`);
  }
  const binary = atob(digits.padEnd(Math.ceil(digits.length / 4) * 4, '='));
  key = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) key[i] = binary.charCodeAt(i);
  if (decoded.size >= 16) decoded.clear();
  decoded.set(secret, key);
  return key;
}

// A version marker (`v1`, `v1a`, `v2`): the token after it is that version's signature.
const VERSION_TOKEN = /^v[0-9]+[a-z]*$/;

/**
 * The signatures of the `v1` entries in a header, at most one more than the maximum (so a header
 * with too many reads as too many). Entries are `<version>,<signature>`, space-separated; a header
 * given twice arrives joined with `,` (or `, `), so tokens are split on both and paired by their
 * version markers: a stray token is skipped, never shifting the pairs after it.
 */
function v1Signatures(header: string): string[] | undefined {
  const tokens = header.split(/[ ,]+/, 2 * MAX_SIGNATURES + 4);
  const found: string[] = [];
  let entries = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (!VERSION_TOKEN.test(tokens[i]!)) continue;
    if (++entries > MAX_SIGNATURES) return undefined;
    const signature = tokens[++i];
    if (tokens[i - 1] === 'v1' && signature !== undefined) found.push(signature);
  }
  return found;
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
  matches(digests, { signatures }) {
    // One `v1,<base64>` entry, the common case, is compared in place, past the version (found
    // without copying the rest of the header).
    const single = signatures.startsWith(VERSION) && signatures.indexOf(' ', VERSION.length) < 0 && signatures.indexOf(',', VERSION.length) < 0;
    const list = single ? undefined : v1Signatures(signatures);
    if (!single && !list) return false;
    let matched = false;
    for (const digest of digests) {
      const expected = base64Encode(digest);
      if (single) matched = equalStrings(expected, signatures, VERSION.length) || matched;
      else for (const signature of list!) matched = equalStrings(expected, signature) || matched;
    }
    return matched;
  },
  // The payload is { type, timestamp, data, ... }; the idempotency key is the webhook-id header,
  // which stays the same across a sender's retries.
  event(payload, { id }) {
    const { type, timestamp, data } = payload;
    if (!isNonEmptyString(type) || !isObject(data)) return undefined;
    // A new object in the envelope's own field order (every event then has one shape), rather than
    // `delete` on the parsed one, which turns it into a slow dictionary object. Other fields are kept.
    const event: Record<string, unknown> = { id, type, created: timestamp, data };
    for (const key in payload) if (!(key in event) && key !== 'timestamp') event[key] = payload[key];
    return event as unknown as TogetherEvent;
  },
};

// The payload without the id (it goes in webhook-id), the creation time as its timestamp. (A
// function of its own, referenced by name: see together.ts.)
function encode(event: { id: string; created?: unknown; type: string; data: object }): string {
  // JSON.stringify leaves out the fields set to undefined.
  return JSON.stringify({ ...event, id: undefined, created: undefined, timestamp: event.created });
}

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
  encode,
};

const standardWebhooks: WebhookScheme<StandardWebhooksHeaderName> = /* @__PURE__ */ Object.freeze({
  name: 'standard-webhooks',
  headerNames: HEADER_NAMES,
  encode,
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
