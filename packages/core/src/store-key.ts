/**
 * @module store-key — fitting an idempotency key into a backend's key size, so an event id of any
 * length works with every store (spec section 14).
 */
import { sha256Digest, utf8ByteLength } from '#crypto';
import { encodeHex, hasLoneSurrogate } from './bytes.js';
// The readable start kept in front of a digest: printable ASCII, so the result is valid UTF-8.
const READABLE_HEAD = /^[\x21-\x7e]{0,64}/;
/** The longest key `fitStoreKey` returns in place of a long one: 64 + `~sha256:` + 64 hex. */
const DIGEST_KEY_BYTES = 64 + 8 + 64;

/**
 * Returns `key` unchanged when its UTF-8 form fits in `maxBytes`; otherwise a fixed-length
 * stand-in: the key's first printable-ASCII characters (at most 64, so `together:event:` stays
 * readable) followed by `~sha256:` and the SHA-256 of the whole key. The stand-in depends on the
 * key alone, so every process and every version of a store agree on it. A key holding an unpaired
 * UTF-16 surrogate, which UTF-8 clients would silently turn into U+FFFD (two such keys would
 * collide), is always replaced, its digest taken over its JSON escape.
 *
 * @param key - the pipeline's key, `<keyPrefix><event id>`
 * @param maxBytes - the backend's key limit in UTF-8 bytes; at least 136
 * @param unstorable - characters the backend cannot hold in a key (PostgreSQL text: U+0000): a
 *   key with one is replaced too, its digest taken over its JSON escape
 * @returns a key of at most `maxBytes` bytes
 * @throws RangeError when `maxBytes` is below 136
 * @example
 * ```ts
 * import { fitStoreKey } from '@x/together-webhooks-core';
 *
 * // DynamoDB partition keys hold at most 2048 bytes.
 * const item = { id: { S: fitStoreKey(key, 2048) } };
 * ```
 */
export function fitStoreKey(key: string, maxBytes: number, unstorable?: RegExp): string {
  if (!(maxBytes >= DIGEST_KEY_BYTES)) throw new RangeError(`maxBytes must be at least ${DIGEST_KEY_BYTES}`);
  const wellFormed = !hasLoneSurrogate(key) && !(unstorable?.test(key) ?? false);
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short keys need no counting.
  if (wellFormed && (key.length * 3 <= maxBytes || utf8ByteLength(key) <= maxBytes)) return key;
  const digest = encodeHex(sha256Digest(wellFormed ? key : JSON.stringify(key)));
  return `${READABLE_HEAD.exec(key)![0]}~sha256:${digest}`;
}
