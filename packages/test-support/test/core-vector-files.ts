/**
 * @module core-vector-files — the contents of the core's known-answer files
 * (`packages/core/test/vectors/<name>.json`, read by the core's test/helpers.ts): each vector's
 * body, secret and timestamp, and the signature OpenSSL computes over them (`opensslSignature`),
 * independently of the core's code, so a bug shared by sign() and verify() cannot hide. Bodies are
 * stored as base64 so bytes that are not UTF-8 survive. core-vectors.test.ts checks the committed
 * files against these; `pnpm --filter @x/together-webhooks-test-support vectors` rewrites them.
 */
import { opensslSignature } from '../src/openssl.js';

/** What is signed, before OpenSSL signs it. */
interface Definition {
  description: string;
  secret: string;
  timestamp: number;
  body: Buffer;
}

/** The contents of one `<name>.json`. */
export interface VectorFile {
  description: string;
  secret: string;
  timestamp: number;
  bodyBase64: string;
  signature: string;
}

const text = (value: string): Buffer => Buffer.from(value, 'utf8');

const SIZE_64K = 65_536;
const blobPrefix = '{"id":"evt_64k","type":"resource.updated","created":"2025-01-15T10:30:00Z","data":{"blob":"';
const blobSuffix = '"}}';

const definitions = {
  'ascii-json': {
    description: 'ASCII JSON event',
    secret: 'whsec_test_ascii_secret',
    timestamp: 1736937000,
    body: text('{"id":"evt_ascii","type":"fine_tune.completed","created":"2025-01-15T10:30:00Z","data":{"id":"ft-0001","status":"completed","model_output_name":"acme/llama-ft"}}'),
  },
  'unicode-json': {
    description: 'JSON event with non-ASCII characters (UTF-8)',
    secret: 'whsec_test_unicode_body',
    timestamp: 1736937001,
    body: text('{"id":"evt_unicode","type":"batch.completed","created":"2025-01-15T10:30:00Z","data":{"id":"batch-ü","note":"Grüße, 世界 🚀 — ok"}}'),
  },
  'invalid-utf8': {
    description: 'JSON event whose string holds bytes that are not valid UTF-8',
    secret: 'whsec_test_invalid_utf8',
    timestamp: 1736937002,
    // A lone 0xFF and 0xFE, a lead byte without its continuation (0xC3 0x28), an encoded surrogate (0xED 0xA0 0x80).
    body: Buffer.concat([
      text('{"id":"evt_bytes","type":"resource.updated","created":"2025-01-15T10:30:00Z","data":{"note":"'),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
      text('"}}'),
    ]),
  },
  'empty-body': {
    description: 'empty body (authentic, but not an event)',
    secret: 'whsec_test_empty',
    timestamp: 1736937003,
    body: Buffer.alloc(0),
  },
  'large-64k': {
    description: 'JSON event of exactly 64 KiB',
    secret: 'whsec_test_large',
    timestamp: 1736937004,
    body: text(`${blobPrefix}${'x'.repeat(SIZE_64K - blobPrefix.length - blobSuffix.length)}${blobSuffix}`),
  },
  'unicode-secret': {
    description: 'secret with non-ASCII characters (keyed with its UTF-8 bytes)',
    secret: 'whsec_ключ_秘密_🔑',
    timestamp: 1736937005,
    body: text('{"id":"evt_secret","type":"video.completed","created":"2025-01-15T10:30:00Z","data":{"id":"vid_1","model":"m","status":"completed","seconds":"4","size":"720x1280","created_at":1736937000}}'),
  },
  // Longer than SHA-256's 64-byte block: HMAC hashes such a key first (RFC 2104, section 2).
  'long-secret': {
    description: 'secret longer than one SHA-256 block (hashed first)',
    secret: `whsec_${Array.from({ length: 8 }, (_, i) => `long-secret-${String(i + 1).padStart(2, '0')}-`).join('')}`,
    timestamp: 1736937006,
    body: text('{"id":"evt_long_secret","type":"endpoint.started","created":"2025-01-15T10:30:00Z","data":{"id":"endpoint-1","state":"STARTED"}}'),
  },
} satisfies Record<string, Definition>;

/** The name of each file, without `.json`. */
export type VectorName = keyof typeof definitions;

/** The names of the files. */
export const VECTOR_NAMES = Object.keys(definitions) as VectorName[];

/** The contents of `<name>.json`, its signature computed by OpenSSL now. */
export function vectorFile(name: VectorName): VectorFile {
  const { description, secret, timestamp, body } = definitions[name];
  return { description, secret, timestamp, bodyBase64: body.toString('base64'), signature: opensslSignature({ scheme: 'together', secret, timestamp, body }) };
}
