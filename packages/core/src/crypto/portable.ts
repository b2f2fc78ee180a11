/**
 * @module crypto/portable — HMAC-SHA256 and UTF-8 for runtimes without `node:crypto` (edge,
 * workers, browsers), from `@noble/hashes`' SHA-256, bundled into this build.
 */
// The SHA-256 class itself, not the `sha256` helper: the helper adds option checks and metadata
// this module never uses, and their code would ship in every bundle that verifies.
import { _SHA256 } from '@noble/hashes/sha2.js';

/** Which implementation this build uses. */
export const cryptoBackend: 'node:crypto' | '@noble/hashes' = '@noble/hashes';

const encoder = /* @__PURE__ */ new TextEncoder();
// ignoreBOM keeps a leading BOM in the text, as node's decoder does, so both builds decide such a body alike.
const decoder = /* @__PURE__ */ new TextDecoder('utf-8', { ignoreBOM: true });

type Sha256 = _SHA256;

const sha256 = (bytes: Uint8Array): Uint8Array => new _SHA256().update(bytes).digest();

// HMAC (RFC 2104) written over noble's SHA-256 instead of importing noble's hmac.js: the same
// construction in a few lines keeps the portable bundle within its size budget (spec section 9).
// The inner and outer hashes are keyed once per secret and cloned per message: keying hashes two
// padded blocks, about a tenth of the work for a 1 KiB body. The keyed states are as secret as
// the secrets, which the caller holds in memory anyway. Bounded: a rotation uses a handful.
const keyedBySecret = new Map<string, [inner: Sha256, outer: Sha256]>();
// Key bytes (a scheme decodes them once per receiver) are keyed by identity, held no longer than they are.
const keyedByBytes = /* @__PURE__ */ new WeakMap<Uint8Array, [inner: Sha256, outer: Sha256]>();

function keyedHashes(key: string | Uint8Array): [inner: Sha256, outer: Sha256] {
  let hashes = typeof key === 'string' ? keyedBySecret.get(key) : keyedByBytes.get(key);
  if (!hashes) {
    const bytes = typeof key === 'string' ? encoder.encode(key) : key;
    const pad = new Uint8Array(64);
    pad.set(bytes.length > 64 ? sha256(bytes) : bytes);
    hashes = [new _SHA256().update(pad.map((byte) => byte ^ 0x36)), new _SHA256().update(pad.map((byte) => byte ^ 0x5c))];
    if (typeof key !== 'string') keyedByBytes.set(key, hashes);
    else {
      if (keyedBySecret.size >= 16) keyedBySecret.clear();
      keyedBySecret.set(key, hashes);
    }
  }
  return hashes;
}

// Working copies the keyed states are cloned into, so a message allocates no hash objects. Safe
// to share: hmacSha256 is synchronous, so one call finishes before the next starts.
const innerWork = /* @__PURE__ */ new _SHA256();
const outerWork = /* @__PURE__ */ new _SHA256();
const innerDigest = /* @__PURE__ */ new Uint8Array(32);

/** HMAC-SHA256 keyed with `key` (a secret's UTF-8 bytes, or key bytes) over `prefix` then `body`, fed separately. */
export function hmacSha256(key: string | Uint8Array, prefix: string, body: string | Uint8Array): Uint8Array {
  const [inner, outer] = keyedHashes(key);
  inner
    ._cloneInto(innerWork)
    .update(utf8Prefix(prefix))
    .update(typeof body === 'string' ? encoder.encode(body) : body)
    .digestInto(innerDigest);
  return outer._cloneInto(outerWork).update(innerDigest).digest();
}

// The prefix is `<digits>.` (or `<id>.<digits>.`): copying ASCII codes beats a TextEncoder call on
// every request; an id with other characters is encoded properly.
function utf8Prefix(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 127) return encoder.encode(text);
    bytes[i] = code;
  }
  return bytes;
}

/** SHA-256 of `text`'s UTF-8 bytes. */
export function sha256Digest(text: string): Uint8Array {
  return sha256(encoder.encode(text));
}

// Web Crypto's HMAC keys, one per secret (or key bytes), imported once. A promise, so concurrent
// first deliveries share one import.
const subtleBySecret = new Map<string, Promise<CryptoKey>>();
const subtleByBytes = /* @__PURE__ */ new WeakMap<Uint8Array, Promise<CryptoKey>>();

function subtleKey(subtle: SubtleCrypto, key: string | Uint8Array): Promise<CryptoKey> {
  let imported = typeof key === 'string' ? subtleBySecret.get(key) : subtleByBytes.get(key);
  if (!imported) {
    const bytes = typeof key === 'string' ? encoder.encode(key) : key;
    imported = subtle.importKey('raw', bytes as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    if (typeof key !== 'string') subtleByBytes.set(key, imported);
    else {
      if (subtleBySecret.size >= 16) subtleBySecret.clear();
      subtleBySecret.set(key, imported);
    }
  }
  return imported;
}

/**
 * `hmacSha256` for `verify()`, which can wait: Web Crypto's native HMAC (workerd, Deno, browsers in
 * a secure context, edge runtimes: several times faster than the bundled SHA-256). Where the
 * runtime has none, `fallback` (the receiver passes the bundled HMAC); without one, a `TypeError`:
 * an app that imports only `verify` then bundles no SHA-256 of its own. Web Crypto signs one
 * buffer, so the prefix and the body are joined into one copy first: a memory copy costs far less
 * than the hashing it replaces.
 */
async function hmacSha256Async(
  key: string | Uint8Array,
  prefix: string,
  body: string | Uint8Array,
  fallback?: typeof hmacSha256,
): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    if (fallback) return fallback(key, prefix, body);
    throw new TypeError('verify() needs Web Crypto (crypto.subtle) here: serve the page over https, or use verifySync()');
  }
  const head = utf8Prefix(prefix);
  const tail = typeof body === 'string' ? encoder.encode(body) : body;
  const message = new Uint8Array(head.byteLength + tail.byteLength);
  message.set(head);
  message.set(tail, head.byteLength);
  return new Uint8Array(await subtle.sign('HMAC', await subtleKey(subtle, key), message));
}

/** Calls `use` with {@link hmacSha256Async} under each key, for `verify()`, once all are ready. */
export const withHmacDigests = <T>(
  keys: readonly (string | Uint8Array)[],
  prefix: string,
  body: string | Uint8Array,
  fallback: typeof hmacSha256 | undefined,
  use: (digests: readonly Uint8Array[]) => T,
): T | Promise<T> => Promise.all(keys.map((key) => hmacSha256Async(key, prefix, body, fallback))).then(use);

/** Standard base64 (with padding) of `bytes`. */
export function base64Encode(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Decodes UTF-8, replacing invalid sequences (the signature was already checked on the bytes). */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** `chunks` joined into one buffer of `total` bytes. */
export function concatBytes(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}

/**
 * The UTF-8 length of `text` in bytes. Encodes it: a string body is rare where this build runs
 * (Fetch bodies are bytes), and a counting loop would cost every bundle its size.
 */
export function utf8ByteLength(text: string): number {
  return encoder.encode(text).byteLength;
}

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
