/**
 * @module bytes — small byte helpers shared by both builds: hex encoding and body normalisation.
 * (Comparing a digest with its hex is each build's own, in `#crypto`.)
 */

/**
 * Whether `actual`, from `offset` on, equals `expected`, in time that depends only on the lengths
 * (a digest's encoding against what a header holds; the offset skips a prefix without a copy).
 * @internal
 */
export function equalStrings(expected: string, actual: string, offset = 0): boolean {
  if (actual.length - offset !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ actual.charCodeAt(offset + i);
  return diff === 0;
}

const HEX_DIGITS = '0123456789abcdef';

/** Lowercase hex of `bytes`. @internal */
export function encodeHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += HEX_DIGITS[byte >> 4]! + HEX_DIGITS[byte & 15]!;
  return hex;
}

// In a `u` regexp a surrogate range matches only unpaired halves: a paired one is one code point.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Whether `text` holds an unpaired UTF-16 surrogate: such a string has no UTF-8 form, and every
 * encoder writes U+FFFD in its place, so two different strings would encode to the same bytes.
 * @internal
 */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** A body as the caller may hold it. */
export type RawBody = string | Uint8Array | ArrayBuffer;

/**
 * Returns the body as a string or a `Uint8Array` view (no copy), or throws a `TypeError` that
 * names the likely mistake when the caller passed something else (a parsed object, or a string
 * that is not well-formed UTF-16).
 * @internal
 */
export function normalizeBody(body: unknown): string | Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') {
    // Signed as UTF-8, such a string would share its signature with every string that differs
    // from it only in which lone surrogate it holds (each becomes U+FFFD): two event ids, one signature.
    if (hasLoneSurrogate(body)) {
      throw new TypeError('body string has unpaired surrogates: pass the raw bytes');
    }
    return body;
  }
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  // One message for a parsed object and for no body at all (what a route without a raw-body
  // parser passes): both are fixed by handing over the bytes as received.
  throw new TypeError('body must be the raw bytes (or string) from before any JSON parser');
}
