/**
 * @module openssl — signatures computed by OpenSSL (`openssl dgst -sha256 -mac HMAC`), outside this
 * repository's code, so that a bug shared by `sign()` and `verify()` cannot hide in a known-answer
 * test.
 */
import { execFileSync, spawnSync } from 'node:child_process';

/** Whether `openssl` can be run here. */
export function opensslAvailable(): boolean {
  return spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
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
 * @returns `x-together-signature` (lowercase hex) or `webhook-signature` (`v1,<base64>`)
 * @throws when `openssl` is missing or fails
 */
export function opensslSignature(input: OpensslSignInput): string {
  const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : Buffer.from(input.body);
  if (input.scheme === 'together') {
    const key = Buffer.from(input.secret, 'utf8').toString('hex');
    return hmac(key, Buffer.concat([Buffer.from(`${input.timestamp}.`), body])).toString('hex');
  }
  if (input.id === undefined) throw new TypeError('a Standard Webhooks signature needs the message id');
  const key = Buffer.from(input.secret.replace(/^whsec_/, ''), 'base64').toString('hex');
  return `v1,${hmac(key, Buffer.concat([Buffer.from(`${input.id}.${input.timestamp}.`), body])).toString('base64')}`;
}

// The key goes in as hex, so any bytes (a non-ASCII secret, a decoded base64 key) pass through argv intact.
function hmac(hexKey: string, data: Buffer): Buffer {
  return execFileSync('openssl', ['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `hexkey:${hexKey}`, '-binary'], { input: data });
}
