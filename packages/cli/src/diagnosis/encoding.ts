/**
 * @module diagnosis/encoding — how signatures and secrets are written on the wire (hex, base64,
 * `whsec_`), for the wire formats' guesses about a sender's encoding mistakes.
 */

/** An HMAC-SHA256 in hex: 64 digits. */
export const HEX_MAC = /^[0-9a-fA-F]{64}$/;
/** An HMAC-SHA256 in base64 (standard or URL-safe alphabet), padded or not. */
export const BASE64_MAC = /^[A-Za-z0-9+/_-]{43}=?$/;
/** A hex HMAC after a label (`sha256=…`, `v1:…`), as other schemes write it. */
export const PREFIXED_HEX = /^([A-Za-z0-9_-]+)[=:]([0-9a-fA-F]{64})$/;
/** Standard base64 text, padding optional: what the key after `whsec_` is written in. */
export const BASE64_TEXT = /^[A-Za-z0-9+/]+={0,2}$/;
/** The prefix of a Standard Webhooks secret, before the base64 of its key. */
export const SECRET_PREFIX = 'whsec_';

export const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const fromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
export const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));

/** A secret without its `whsec_`. */
export const withoutPrefix = (secret: string): string => (secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);

/** "2 entries of length 44, 64": what a header holds, without what it holds. */
export const lengths = (entries: readonly string[]): string =>
  `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} of length ${entries.map((entry) => entry.length).join(', ')}`;
