/**
 * @module together — the contents of conformance/vectors.json: the known-answer vectors of the
 * default wire format (spec section 3) and the rejections of section 5. Every signature is
 * computed by OpenSSL (test-support's `opensslSignature`), never by the code under test, so the
 * vectors are an independent check. vectors.test.ts checks the committed file against these;
 * `pnpm --filter @x/together-webhooks-runtimes vectors` rewrites it.
 */
import { opensslSignature } from '@x/together-webhooks-test-support';
import { assertUniqueNames, ms, T, vectorEntry, type HeaderInput, type VectorDefinition, type VectorEntry } from './vector-file.js';

const SECRET = 'whsec_runtime_conformance_1';
const OLD_SECRET = 'whsec_rotated_out_0';
const OTHER_SECRET = 'whsec_someone_else';

/** The outcome a vector requires: the event (and one of its data fields), or the rejection. */
type Expectation = { ok: true; id: string; type: string; dataField?: [string, string] } | { ok: false; code: string; status: number };

/** A sign vector as committed: sign() must produce exactly `expected`. */
interface SignEntry {
  name: string;
  secret: string;
  timestamp: number;
  /** Sign the body as text rather than bytes. */
  asText?: true;
  bodyBase64: string;
  expected: { 'x-together-signature': string; 'x-together-timestamp': string };
}

/** The contents of vectors.json. */
export interface TogetherVectorsFile {
  about: string;
  secret: string;
  timestamp: number;
  vectors: VectorEntry<Expectation>[];
  signVectors: SignEntry[];
}

const event = (id: string, type: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}): Buffer =>
  Buffer.from(JSON.stringify({ id, type, created: '2026-01-01T00:00:00Z', data, ...extra }), 'utf8');

const fineTune = event('evt_ft_0001', 'fine_tune.completed', {
  id: 'ft-3b883474-f39c-40d9-9d5a-7f97ba9eeb9f',
  status: 'completed',
  model: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference',
  model_output_name: 'acme/Meta-Llama-3.1-8B-Instruct-Reference-ft-2026',
  n_epochs: 3,
  epochs_completed: 3,
});
const batch = event('evt_batch_0002', 'batch.completed', {
  id: 'batch-6f0a1c34',
  status: 'COMPLETED',
  endpoint: '/v1/chat/completions',
  output_file_id: 'file-out-71d2',
  progress: 100,
});
// Multi-byte UTF-8 (accents, CJK, an emoji): a verifier that hashed UTF-16 or Latin-1 would fail.
const unicode = event('evt_unicode_0003', 'resource.updated', { name: 'Modèle — 模型 🚀', note: 'naïve café' });
// Invalid UTF-8 inside a JSON string: 0xC3 0x28 (a lead byte without its continuation) and a
// lone 0xFF. The signature covers these bytes; the text decodes them to U+FFFD.
const invalidUtf8 = Buffer.concat([
  Buffer.from('{"id":"evt_bytes_0004","type":"resource.created","created":"2026-01-01T00:00:00Z","data":{"raw":"a', 'utf8'),
  Buffer.from([0xc3, 0x28, 0xff]),
  Buffer.from('z"}}', 'utf8'),
]);
const unknownType = event('evt_new_0005', 'model.deployed', { id: 'm-1' }, { api_version: '2027-01-01' });

const sig = (body: Buffer, secret = SECRET, timestamp = T): string => opensslSignature({ scheme: 'together', secret, timestamp, body });
const headers = (signature: string, timestamp = String(T)): HeaderInput => ({
  'x-together-signature': signature,
  'x-together-timestamp': timestamp,
});
const ok = (id: string, type: string, extra: { dataField?: [string, string] } = {}): Expectation => ({ ok: true, id, type, ...extra });
const fail = (code: string, status: number): Expectation => ({ ok: false, code, status });
const fakeSignature = (n: number): string => n.toString(16).padStart(2, '0').repeat(32);

/** Each vector: a delivery, the verifier's options, and the outcome spec sections 3 and 5 require. */
function vectors(): VectorDefinition<Expectation>[] {
  return [
    { name: 'valid', body: fineTune, headers: headers(sig(fineTune)), expect: ok('evt_ft_0001', 'fine_tune.completed') },
    {
      name: 'valid: header names in any case, uppercase hex',
      body: batch,
      headers: { 'X-Together-Signature': sig(batch).toUpperCase(), 'X-TOGETHER-TIMESTAMP': String(T) },
      expect: ok('evt_batch_0002', 'batch.completed'),
    },
    {
      name: 'valid: multi-byte UTF-8 body',
      body: unicode,
      headers: headers(sig(unicode)),
      expect: ok('evt_unicode_0003', 'resource.updated', { dataField: ['name', 'Modèle — 模型 🚀'] }),
    },
    {
      name: 'valid: body with invalid UTF-8 bytes is verified over its exact bytes',
      body: invalidUtf8,
      headers: headers(sig(invalidUtf8)),
      expect: ok('evt_bytes_0004', 'resource.created', { dataField: ['raw', 'a\ufffd(\ufffdz'] }),
    },
    {
      name: 'valid: unknown event type is delivered, not rejected',
      body: unknownType,
      headers: headers(sig(unknownType)),
      expect: ok('evt_new_0005', 'model.deployed'),
    },
    { name: 'missing_signature', body: fineTune, headers: { 'x-together-timestamp': String(T) }, expect: fail('missing_signature', 401) },
    { name: 'missing_signature: blank header', body: fineTune, headers: headers('  '), expect: fail('missing_signature', 401) },
    {
      name: 'missing_timestamp',
      body: fineTune,
      headers: { 'x-together-signature': sig(fineTune) },
      expect: fail('missing_timestamp', 401),
    },
    { name: 'invalid_timestamp: not digits', body: fineTune, headers: headers(sig(fineTune), '17672256OO'), expect: fail('invalid_timestamp', 401) },
    { name: 'invalid_timestamp: milliseconds with a dot', body: fineTune, headers: headers(sig(fineTune), `${T}.5`), expect: fail('invalid_timestamp', 401) },
    { name: 'signature_mismatch: other secret', body: fineTune, headers: headers(sig(fineTune, OTHER_SECRET)), expect: fail('signature_mismatch', 401) },
    {
      name: 'signature_mismatch: one body byte changed',
      body: Buffer.from(fineTune.toString('utf8').replace('"n_epochs":3', '"n_epochs":4'), 'utf8'),
      headers: headers(sig(fineTune)),
      expect: fail('signature_mismatch', 401),
    },
    {
      name: 'signature_mismatch: timestamp changed',
      body: fineTune,
      headers: headers(sig(fineTune), String(T + 1)),
      now: ms(T + 1),
      expect: fail('signature_mismatch', 401),
    },
    { name: 'signature_mismatch: truncated signature', body: fineTune, headers: headers(sig(fineTune).slice(0, 62)), expect: fail('signature_mismatch', 401) },
    { name: 'signature_mismatch: not hex', body: fineTune, headers: headers('z'.repeat(64)), expect: fail('signature_mismatch', 401) },
    {
      name: 'signature_mismatch: checked before age (forged and stale)',
      body: fineTune,
      headers: headers(sig(fineTune, OTHER_SECRET)),
      now: ms(T + 3600),
      expect: fail('signature_mismatch', 401),
    },
    { name: 'timestamp_too_old', body: fineTune, headers: headers(sig(fineTune)), now: ms(T + 301), expect: fail('timestamp_too_old', 401) },
    { name: 'tolerance edge, past: exactly 300 s old is accepted', body: fineTune, headers: headers(sig(fineTune)), now: ms(T + 300), expect: ok('evt_ft_0001', 'fine_tune.completed') },
    { name: 'timestamp_in_future', body: fineTune, headers: headers(sig(fineTune)), now: ms(T - 301), expect: fail('timestamp_in_future', 401) },
    { name: 'tolerance edge, future: exactly 300 s ahead is accepted', body: fineTune, headers: headers(sig(fineTune)), now: ms(T - 300), expect: ok('evt_ft_0001', 'fine_tune.completed') },
    {
      name: 'toleranceSeconds option: 11 s old with a 10 s window',
      body: fineTune,
      headers: headers(sig(fineTune)),
      options: { toleranceSeconds: 10 },
      now: ms(T + 11),
      expect: fail('timestamp_too_old', 401),
    },
    {
      name: 'toleranceSeconds option: 11 s ahead with a 10 s window',
      body: fineTune,
      headers: headers(sig(fineTune)),
      options: { toleranceSeconds: 10 },
      now: ms(T - 11),
      expect: fail('timestamp_in_future', 401),
    },
    {
      name: 'payload_too_large: authentic body over maxBodyBytes',
      body: fineTune,
      headers: headers(sig(fineTune)),
      options: { maxBodyBytes: fineTune.length - 1 },
      expect: fail('payload_too_large', 413),
    },
    {
      name: 'payload_too_large: checked before hashing (forged body)',
      body: fineTune,
      headers: headers(fakeSignature(1)),
      options: { maxBodyBytes: 16 },
      expect: fail('payload_too_large', 413),
    },
    {
      name: 'maxBodyBytes: a body of exactly the limit is accepted',
      body: fineTune,
      headers: headers(sig(fineTune)),
      options: { maxBodyBytes: fineTune.length },
      expect: ok('evt_ft_0001', 'fine_tune.completed'),
    },
    ...(
      [
        ['not JSON', Buffer.from('id=evt_1&type=batch.completed', 'utf8')],
        ['a JSON array', Buffer.from('[{"id":"evt_1","type":"batch.completed","data":{}}]', 'utf8')],
        ['no id', Buffer.from('{"type":"batch.completed","created":"2026-01-01T00:00:00Z","data":{}}', 'utf8')],
        ['empty type', Buffer.from('{"id":"evt_1","type":"","created":"2026-01-01T00:00:00Z","data":{}}', 'utf8')],
        ['data not an object', Buffer.from('{"id":"evt_1","type":"batch.completed","created":"2026-01-01T00:00:00Z","data":"x"}', 'utf8')],
      ] as const
    ).map(([what, body]) => ({
      name: `invalid_payload: authentic but ${what}`,
      body,
      headers: headers(sig(body)),
      expect: fail('invalid_payload', 400),
    })),
    {
      name: 'rotation: signed with the new secret, two secrets configured',
      body: batch,
      secret: [OLD_SECRET, SECRET],
      headers: headers(sig(batch, SECRET)),
      expect: ok('evt_batch_0002', 'batch.completed'),
    },
    {
      name: 'rotation: signed with the old secret, two secrets configured',
      body: batch,
      secret: [SECRET, OLD_SECRET],
      headers: headers(sig(batch, OLD_SECRET)),
      expect: ok('evt_batch_0002', 'batch.completed'),
    },
    {
      name: 'rotation: neither configured secret signed it',
      body: batch,
      secret: [SECRET, OLD_SECRET],
      headers: headers(sig(batch, OTHER_SECRET)),
      expect: fail('signature_mismatch', 401),
    },
    {
      name: 'several signatures: comma-separated, the second matches',
      body: batch,
      headers: headers(`${sig(batch, OTHER_SECRET)},${sig(batch)}`),
      expect: ok('evt_batch_0002', 'batch.completed'),
    },
    {
      name: 'several signatures: space-separated, sender rotating (old and new)',
      body: batch,
      headers: headers(`${sig(batch, OLD_SECRET)} ${sig(batch)}`),
      expect: ok('evt_batch_0002', 'batch.completed'),
    },
    {
      name: 'several signatures: a malformed entry is skipped',
      body: batch,
      headers: headers(`not-hex, ${sig(batch)}`),
      expect: ok('evt_batch_0002', 'batch.completed'),
    },
    {
      name: 'several signatures: 8 considered, the 8th matches',
      body: batch,
      headers: headers([...Array.from({ length: 7 }, (_, i) => fakeSignature(i + 1)), sig(batch)].join(',')),
      expect: ok('evt_batch_0002', 'batch.completed'),
    },
    {
      name: 'several signatures: a 9th is never considered',
      body: batch,
      headers: headers([...Array.from({ length: 8 }, (_, i) => fakeSignature(i + 1)), sig(batch)].join(',')),
      expect: fail('signature_mismatch', 401),
    },
    {
      name: 'signature header given twice (array value), joined with a comma',
      body: batch,
      headers: { 'x-together-signature': [fakeSignature(9), sig(batch)], 'x-together-timestamp': String(T) },
      expect: ok('evt_batch_0002', 'batch.completed'),
    },
    {
      name: 'signature header given twice ([name, value] pairs)',
      body: batch,
      headers: [
        ['X-Together-Signature', fakeSignature(9)],
        ['x-together-timestamp', String(T)],
        ['x-together-signature', sig(batch)],
      ],
      expect: ok('evt_batch_0002', 'batch.completed'),
    },
  ];
}

/** sign() must produce exactly what OpenSSL computes. */
function signVectors(): SignEntry[] {
  const definitions: { name: string; secret: string; timestamp: number; body: Buffer; asText?: true }[] = [
    { name: 'sign: JSON event as bytes', secret: SECRET, timestamp: T, body: fineTune },
    { name: 'sign: multi-byte UTF-8 body as text', secret: SECRET, timestamp: T + 7, body: unicode, asText: true },
    { name: 'sign: invalid UTF-8 bytes', secret: OLD_SECRET, timestamp: T - 60, body: invalidUtf8 },
    { name: 'sign: empty body, timestamp 0', secret: 'k', timestamp: 0, body: Buffer.alloc(0) },
    { name: 'sign: non-ASCII secret', secret: 'sécret-秘密', timestamp: T, body: batch },
  ];
  return definitions.map(({ body, ...rest }) => ({
    ...rest,
    bodyBase64: body.toString('base64'),
    expected: { 'x-together-signature': sig(body, rest.secret, rest.timestamp), 'x-together-timestamp': String(rest.timestamp) },
  }));
}

/** The contents of vectors.json, every signature computed by OpenSSL now. */
export function togetherVectorsFile(): TogetherVectorsFile {
  const file: TogetherVectorsFile = {
    about:
      'Known-answer vectors for @x/together-webhooks-core (spec sections 3 and 5). Signatures by ' +
      '`openssl dgst -sha256 -mac HMAC`, built by runtimes/test/vectors/together.ts; regenerate with `pnpm --filter @x/together-webhooks-runtimes vectors`.',
    secret: SECRET,
    timestamp: T,
    vectors: vectors().map((vector) => vectorEntry(vector, SECRET)),
    signVectors: signVectors(),
  };
  assertUniqueNames('vectors.json', file);
  return file;
}
