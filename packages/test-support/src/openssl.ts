/**
 * @module openssl — HMAC-SHA256 computed by OpenSSL (`openssl dgst -sha256 -mac HMAC`), outside this
 * repository's code, so that a bug shared by `sign()` and `verify()` cannot hide in a known-answer
 * test. Every committed known-answer file is built from it (see `./known-answers`).
 */
import { execFileSync, spawnSync } from 'node:child_process';

// A synchronous child blocks the test worker, so vitest's own timeout could never fire: bound it here.
const OPENSSL_TIMEOUT_MS = 10_000;

/** Whether `openssl` can be run here. */
export function opensslAvailable(): boolean {
  return spawnSync('openssl', ['version'], { encoding: 'utf8', timeout: OPENSSL_TIMEOUT_MS }).status === 0;
}

/**
 * The HMAC-SHA256 of `data` under `key`, computed by OpenSSL.
 *
 * @param key - the key bytes (any bytes: they reach OpenSSL as hex, so argv cannot alter them)
 * @param data - the signed bytes
 * @returns the 32-byte MAC
 * @throws TypeError when an argument is not bytes or the key is empty; an Error when `openssl` is missing or fails
 * @example
 * ```ts
 * opensslHmac(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?')).toString('hex');
 * // '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843' (RFC 4231, test case 2)
 * ```
 */
export function opensslHmac(key: Uint8Array, data: Uint8Array): Buffer {
  if (!(key instanceof Uint8Array)) throw new TypeError('key must be a Uint8Array');
  if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
  // `-macopt hexkey:` with nothing after it is an OpenSSL error, not an empty key.
  if (key.byteLength === 0) throw new TypeError('key must not be empty');
  const args = ['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `hexkey:${Buffer.from(key).toString('hex')}`, '-binary'];
  const mac = execFileSync('openssl', args, { input: data, timeout: OPENSSL_TIMEOUT_MS });
  if (mac.byteLength !== 32) throw new Error(`openssl dgst -sha256 gave ${mac.byteLength} bytes, not 32`);
  return mac;
}

/**
 * The key bytes of a Standard Webhooks secret (`whsec_<base64>`, or the bare base64), decoded by
 * Node's base64 decoder, not by the core's.
 *
 * @param secret - the secret as a user configures it
 * @returns the key bytes
 * @example
 * ```ts
 * standardWebhooksKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').byteLength; // 24
 * ```
 */
export function standardWebhooksKey(secret: string): Buffer {
  if (typeof secret !== 'string') throw new TypeError('secret must be a string');
  return Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
}

/** What OpenSSL signs: the scheme's signed bytes are built from these. */
export interface OpensslSignInput {
  /** `together`: the secret's UTF-8 bytes are the key, over `<timestamp>.<body>`, hex out. `standard-webhooks`: the key is the base64 after `whsec_`, over `<id>.<timestamp>.<body>`, `v1,<base64>` out. */
  scheme: 'together' | 'standard-webhooks';
  secret: string;
  timestamp: number;
  /** The message id (`webhook-id`); Standard Webhooks only. */
  id?: string;
  body: string | Uint8Array;
}

/**
 * The signature header value OpenSSL computes for a delivery.
 *
 * @param input - the scheme, secret, timestamp, id and body
 * @returns `x-together-signature` (lowercase hex) or one `webhook-signature` entry (`v1,<base64>`)
 * @throws TypeError when a Standard Webhooks signature has no id; an Error when `openssl` is missing or fails
 * @example
 * ```ts
 * opensslSignature({ scheme: 'together', secret: 'whsec_x', timestamp: 1736937000, body: '{}' }); // 64 hex digits
 * ```
 */
export function opensslSignature(input: OpensslSignInput): string {
  const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body;
  if (input.scheme === 'together') {
    return opensslHmac(Buffer.from(input.secret, 'utf8'), Buffer.concat([Buffer.from(`${input.timestamp}.`), body])).toString('hex');
  }
  if (input.id === undefined) throw new TypeError('a Standard Webhooks signature needs the message id');
  return `v1,${opensslHmac(standardWebhooksKey(input.secret), Buffer.concat([Buffer.from(`${input.id}.${input.timestamp}.`), body])).toString('base64')}`;
}
