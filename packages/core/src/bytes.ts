/**
 * @module bytes — small byte helpers shared by both builds: constant-time comparison of a digest
 * with its hex, hex encoding, and body normalisation.
 */

// Maps an ASCII code to its hex value, or 255 when it is not a hex digit (either case).
const HEX_VALUES = /* @__PURE__ */ (() => {
  const table = new Uint8Array(128).fill(255);
  for (let i = 0; i < 10; i++) table[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    table[65 + i] = 10 + i;
    table[97 + i] = 10 + i;
  }
  return table;
})();

/**
 * Whether `hex` is the lowercase or uppercase hex of `expected`, in time that depends only on the
 * lengths: every character is read and the differences are accumulated, never an early return. A
 * wrong length or a non-hex character is `false`, never an exception. Compares without decoding
 * into a new array, since this runs once per request.
 * @internal
 */
export function equalsHex(expected: Uint8Array, hex: string): boolean {
  if (hex.length !== expected.length * 2) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) {
    const hi = HEX_VALUES[hex.charCodeAt(2 * i)] ?? 255;
    const lo = HEX_VALUES[hex.charCodeAt(2 * i + 1)] ?? 255;
    // A non-hex character (255) sets bits above the low nibble; a differing byte sets the rest.
    diff |= ((hi | lo) & 0xf0) | (((hi << 4) | lo) ^ expected[i]!);
  }
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
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

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
      throw new TypeError('body is a string with unpaired surrogates, which no received bytes decode to: pass the raw bytes as received');
    }
    return body;
  }
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body !== null && typeof body === 'object') {
    throw new TypeError('body is a parsed object: pass the raw bytes as received, before any JSON parser runs');
  }
  throw new TypeError('body must be a string, Uint8Array (or Buffer) or ArrayBuffer');
}
