/**
 * @module crypto/node — HMAC-SHA256 and UTF-8 for Node, Bun and Deno, from `node:crypto`.
 */
import { Buffer } from 'node:buffer';
import * as nodeCrypto from 'node:crypto';

/** Which implementation this build uses. */
export const cryptoBackend: 'node:crypto' | '@noble/hashes' = 'node:crypto';

/** HMAC-SHA256 keyed with `key` (a secret's UTF-8 bytes, or key bytes) over `prefix` then `body`, fed separately. */
export function hmacSha256(key: string | Uint8Array, prefix: string, body: string | Uint8Array): Uint8Array {
  // Two update() calls: joining prefix and body first would copy the whole body.
  return nodeCrypto.createHmac('sha256', key).update(prefix).update(body).digest();
}

/**
 * Calls `use` with the HMAC of `prefix` then `body` under each key, for `verify()`, which could
 * wait: node:crypto is the fastest HMAC here, so at once, synchronously, with no promise
 * (`verify()` then costs what `verifySync` does, and its bundle carries no async HMAC nor a check
 * for one). The `fallback` the portable build takes is never needed.
 */
export const withHmacDigests: <T>(
  keys: readonly (string | Uint8Array)[],
  prefix: string,
  body: string | Uint8Array,
  fallback: typeof hmacSha256 | undefined,
  use: (digests: readonly Uint8Array[]) => T,
) => T | Promise<T> = (keys, prefix, body, _fallback, use) => use(keys.map((key) => hmacSha256(key, prefix, body)));

/** Standard base64 (with padding) of `bytes`. */
export function base64Encode(bytes: Uint8Array): string {
  // A digest from node:crypto is already a Buffer: no view to make.
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('base64');
}

/** SHA-256 of `text`'s UTF-8 bytes. */
export function sha256Digest(text: string): Uint8Array {
  return nodeCrypto.createHash('sha256').update(text).digest();
}

/** Decodes UTF-8, replacing invalid sequences (the signature was already checked on the bytes). */
export function utf8Decode(bytes: Uint8Array): string {
  // A Buffer (what Node servers hand over) decodes in place; other views are wrapped, not copied.
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString();
}

/** `chunks` joined into one buffer of `total` bytes. */
export function concatBytes(chunks: readonly Uint8Array[], total: number): Uint8Array {
  return Buffer.concat(chunks, total);
}

/** The UTF-8 length of `text` in bytes, without encoding it. */
export function utf8ByteLength(text: string): number {
  return Buffer.byteLength(text);
}

const HEX = /^[0-9a-fA-F]*$/;

/**
 * Whether `hex` is the lowercase or uppercase hex of `expected`, compared in constant time by
 * `timingSafeEqual`. A wrong length or a non-hex character is `false`, never an exception (the
 * digits are checked first: `Buffer.from(hex, 'hex')` would stop at the first bad one).
 */
export function equalsHex(expected: Uint8Array, hex: string): boolean {
  return hex.length === expected.length * 2 && HEX.test(hex) && nodeCrypto.timingSafeEqual(expected, Buffer.from(hex, 'hex'));
}
