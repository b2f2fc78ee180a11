/**
 * @module signature — parsing the signature header and checking it against every secret in
 * constant time.
 */
import { hmacSha256 } from '#crypto';
import { decodeHex, equalBytesConstantTime } from './bytes.js';

/** Most signatures one header may carry; more is a mismatch, so the work per request is bounded. */
export const MAX_SIGNATURES = 8;
const DIGEST_BYTES = 32;
const SEPARATORS = /[\s,]+/;

/**
 * Decodes the signatures a header lists (separated by commas or whitespace). Malformed entries
 * are dropped: they can never match. Returns `undefined` past {@link MAX_SIGNATURES}.
 * @internal
 */
export function parseSignatureHeader(header: string): Uint8Array[] | undefined {
  // The common case, one signature, skips the split.
  if (header.length === DIGEST_BYTES * 2) {
    const only = decodeHex(header, DIGEST_BYTES);
    if (only) return [only];
  }
  const parts = header.split(SEPARATORS);
  const signatures: Uint8Array[] = [];
  let count = 0;
  for (const part of parts) {
    if (part.length === 0) continue;
    if (++count > MAX_SIGNATURES) return undefined;
    const decoded = decodeHex(part, DIGEST_BYTES);
    if (decoded) signatures.push(decoded);
  }
  return signatures;
}

/**
 * Whether any signature is the HMAC of `<timestamp>.<body>` under any secret.
 * @internal
 */
export function matchesAnySecret(
  secrets: readonly string[],
  timestamp: string,
  body: string | Uint8Array,
  signatures: readonly Uint8Array[],
): boolean {
  const prefix = `${timestamp}.`;
  for (const secret of secrets) {
    const expected = hmacSha256(secret, prefix, body);
    for (const signature of signatures) {
      if (equalBytesConstantTime(expected, signature)) return true;
    }
  }
  return false;
}
