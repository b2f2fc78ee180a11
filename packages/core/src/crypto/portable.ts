/**
 * @module crypto/portable — HMAC-SHA256 and UTF-8 for runtimes without `node:crypto` (edge,
 * workers, browsers), from `@noble/hashes`, bundled into this build.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

/** Which implementation this build uses. */
export const cryptoBackend: 'node:crypto' | '@noble/hashes' = '@noble/hashes';

const encoder = /* @__PURE__ */ new TextEncoder();
const decoder = /* @__PURE__ */ new TextDecoder();

/** HMAC-SHA256 keyed with `secret`'s UTF-8 bytes over `prefix` then `body`, fed separately. */
export function hmacSha256(secret: string, prefix: string, body: string | Uint8Array): Uint8Array {
  const mac = hmac.create(sha256, encoder.encode(secret)).update(encoder.encode(prefix));
  return mac.update(typeof body === 'string' ? encoder.encode(body) : body).digest();
}

/** Decodes UTF-8, replacing invalid sequences (the signature was already checked on the bytes). */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** The UTF-8 length of `text` in bytes, without encoding it (lone surrogates count as U+FFFD). */
export function utf8ByteLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) length += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length += 2; // a pair: 2 code units, 4 bytes
        i++;
      } else length += 2;
    } else length += 2;
  }
  return length;
}
