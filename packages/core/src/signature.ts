/**
 * @module signature — splitting the signature header and checking it against every secret in
 * constant time.
 */
import { equalsHex, hmacSha256 } from '#crypto';

/** Most signatures one header may carry; more is a mismatch, so the work per request is bounded. */
export const MAX_SIGNATURES = 8;

/**
 * Whether any signature in `header` (several are separated by commas or whitespace) is the HMAC
 * of `<timestamp>.<body>` under any secret. Every listed signature is compared with every digest,
 * whatever matched before, so the time taken does not tell which one matched.
 * @internal
 */
export function matchesAnySecret(
  secrets: readonly string[],
  timestamp: string,
  body: string | Uint8Array,
  header: string,
): boolean {
  const prefix = `${timestamp}.`;
  // The common case, one signature and one secret, needs no list.
  if (secrets.length === 1 && header.length === 64) return equalsHex(hmacSha256(secrets[0]!, prefix, body), header);
  // The split stops after a few entries, so a huge header costs no more than a short one; the
  // two allowed beyond the maximum are the empty strings a leading and a trailing separator leave.
  const signatures = header.split(/[\s,]+/, MAX_SIGNATURES + 3).filter((signature) => signature !== '');
  if (signatures.length > MAX_SIGNATURES) return false;
  let matched = false;
  for (const secret of secrets) {
    const expected = hmacSha256(secret, prefix, body);
    for (const signature of signatures) matched = equalsHex(expected, signature) || matched;
  }
  return matched;
}
