/**
 * @module bytes — small byte helpers shared by both builds: hex decoding for signatures,
 * constant-time comparison, and body normalisation.
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
 * Decodes hex of exactly `2 * length` characters, either case. Returns `undefined` for any other
 * length or a non-hex character: a malformed signature is a mismatch, never an exception.
 * @internal
 */
export function decodeHex(hex: string, length: number): Uint8Array | undefined {
  if (hex.length !== length * 2) return undefined;
  const out = new Uint8Array(length);
  let invalid = 0;
  for (let i = 0; i < length; i++) {
    const hi = HEX_VALUES[hex.charCodeAt(2 * i)] ?? 255;
    const lo = HEX_VALUES[hex.charCodeAt(2 * i + 1)] ?? 255;
    invalid |= (hi | lo) & 0xf0;
    out[i] = (hi << 4) | lo;
  }
  return invalid === 0 ? out : undefined;
}

const HEX_DIGITS = '0123456789abcdef';

/** Lowercase hex of `bytes`. @internal */
export function encodeHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += HEX_DIGITS[byte >> 4]! + HEX_DIGITS[byte & 15]!;
  return hex;
}

/**
 * Compares two byte arrays of equal length in time that depends only on the length.
 * @internal
 */
export function equalBytesConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** A body as the caller may hold it. */
export type RawBody = string | Uint8Array | ArrayBuffer;

/**
 * Returns the body as a string or a `Uint8Array` view (no copy), or throws a `TypeError` that
 * names the likely mistake when the caller passed something else.
 * @internal
 */
export function normalizeBody(body: unknown): string | Uint8Array {
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body !== null && typeof body === 'object') {
    throw new TypeError(
      'body is a parsed object: the signature covers the raw bytes, so pass the body exactly as ' +
        'received (a Buffer, Uint8Array, ArrayBuffer or string), before any JSON parser runs',
    );
  }
  throw new TypeError('body must be a string, a Uint8Array (a Node Buffer is one) or an ArrayBuffer');
}
