/**
 * @module standard-webhooks — the contents of conformance/standard-webhooks-vectors.json: the
 * known-answer vectors of the Standard Webhooks scheme (spec section 11). Every signature is
 * computed by OpenSSL (test-support's `opensslSignature` and `opensslHmac`) over
 * `<id>.<timestamp>.<body>`, with the key decoded from its `whsec_` secret by Node's own base64
 * decoder: nothing of the code under test is involved. vectors.test.ts checks the committed file
 * against these; `pnpm --filter @x/together-webhooks-runtimes vectors` rewrites it.
 */
import { opensslHmac, opensslSignature, standardWebhooksKey } from '@x/together-webhooks-test-support';
import { assertUniqueNames, ms, T, vectorEntry, type VectorDefinition, type VectorEntry } from './vector-file.js';

const SECRET = 'whsec_rMII0+YpvMcYFbi2+FB07dc7VQhsZwZzCQytdbOaiT8=';
const OLD_SECRET = 'whsec_aUEceo5Mdr9h3pEBFNuPmuDH+/o3H2jwzDflnPB05aA=';
const OTHER_SECRET = 'whsec_QuZIqclMX2Wf/OuXU7WKyE/qdiPxIO4XWG1j/RRMtmo=';
// A 31-byte key: its base64 ends in `==`, which a secret may leave out.
const PADDED_SECRET = 'whsec_79pfXyG7PAZu6DgAS5D0zKHDL5Ya+TwmgKzhoQiQfQ==';
// The official library's own test key (24 bytes) and known answer.
const LIBRARY_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const LIBRARY_ANSWER = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const LIBRARY_MESSAGE = { id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330, body: Buffer.from('{"test": 2432232314}') };
const ID = 'msg_2rVq8XkA0c9LbT3wYzE5pN1d';

/** The outcome a vector requires: the event (its created time, a data field, extra fields), a rejection, or a TypeError. */
type Expectation =
  | { ok: true; id: string; type: string; created: string; dataField?: [string, string]; fields?: Record<string, string> }
  | { ok: false; code: string; status: number }
  | { ok: false; error: 'TypeError' };

type Headers = Record<string, string>;

/** A sign vector as committed: sign() must produce exactly `expected`. */
interface SignEntry {
  name: string;
  /** One `webhook-signature` entry per secret, space-separated. */
  secret: string | string[];
  id: string;
  timestamp: number;
  /** Sign the body as text rather than bytes. */
  asText?: true;
  bodyBase64: string;
  expected: { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string };
}

/** The contents of standard-webhooks-vectors.json. */
export interface StandardWebhooksVectorsFile {
  about: string;
  scheme: 'standard-webhooks';
  secret: string;
  timestamp: number;
  vectors: VectorEntry<Expectation>[];
  signVectors: SignEntry[];
}

const payload = (type: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}): Buffer =>
  Buffer.from(JSON.stringify({ type, timestamp: '2026-01-01T00:00:00Z', data, ...extra }), 'utf8');

const fineTune = payload('fine_tune.completed', {
  id: 'ft-3b883474-f39c-40d9-9d5a-7f97ba9eeb9f',
  status: 'completed',
  model: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference',
  model_output_name: 'acme/Meta-Llama-3.1-8B-Instruct-Reference-ft-2026',
});
const batch = payload('batch.completed', { id: 'batch-6f0a1c34', status: 'COMPLETED', output_file_id: 'file-out-71d2', progress: 100 });
const unicode = payload('resource.updated', { name: 'Modèle — 模型 🚀', note: 'naïve café' });
// 0xC3 0x28 (a lead byte without its continuation) and a lone 0xFF: the signature covers these
// bytes, not the U+FFFD that decoding them gives.
const invalidUtf8 = Buffer.concat([
  Buffer.from('{"type":"resource.created","timestamp":"2026-01-01T00:00:00Z","data":{"raw":"a', 'utf8'),
  Buffer.from([0xc3, 0x28, 0xff]),
  Buffer.from('z"}}', 'utf8'),
]);
const unknownType = payload('model.deployed', { id: 'm-1' }, { api_version: '2027-01-01' });
const ownId = payload('batch.completed', { id: 'batch-1' }, { id: 'evt_in_the_body' });

/** The `v1,<base64>` entry OpenSSL computes over `<id>.<timestamp>.<body>`. */
const entry = (body: Buffer, { secret = SECRET, id = ID, timestamp = T }: { secret?: string; id?: string; timestamp?: number } = {}): string =>
  opensslSignature({ scheme: 'standard-webhooks', secret, id, timestamp, body });
const headers = (signature: string, { id = ID, timestamp = String(T) }: { id?: string; timestamp?: string } = {}): Headers => ({
  'webhook-id': id,
  'webhook-timestamp': timestamp,
  'webhook-signature': signature,
});
const without = (name: string, h: Headers): Headers => Object.fromEntries(Object.entries(h).filter(([key]) => key !== name));
const ok = (id: string, type: string, extra: { dataField?: [string, string]; fields?: Record<string, string> } = {}): Expectation => ({
  ok: true,
  id,
  type,
  created: '2026-01-01T00:00:00Z',
  ...extra,
});
const fail = (code: string, status: number): Expectation => ({ ok: false, code, status });
const typeError: Expectation = { ok: false, error: 'TypeError' };
// A well-formed entry no secret here signs: 32 bytes of `n`.
const fakeEntry = (n: number): string => `v1,${Buffer.alloc(32, n).toString('base64')}`;

/** Each vector: a delivery, the verifier's options, and the outcome spec section 11 requires. */
function vectors(): VectorDefinition<Expectation>[] {
  const validEntry = entry(fineTune);
  const valid = headers(validEntry);
  const good = entry(batch);
  return [
    { name: 'valid: one v1 signature', body: fineTune, headers: valid, expect: ok(ID, 'fine_tune.completed') },
    {
      name: 'valid: header names in any case',
      body: batch,
      headers: { 'Webhook-Id': ID, 'WEBHOOK-TIMESTAMP': String(T), 'Webhook-Signature': good },
      expect: ok(ID, 'batch.completed'),
    },
    {
      name: 'valid: multi-byte UTF-8 body',
      body: unicode,
      headers: headers(entry(unicode)),
      expect: ok(ID, 'resource.updated', { dataField: ['name', 'Modèle — 模型 🚀'] }),
    },
    {
      name: 'valid: body with invalid UTF-8 bytes is verified over its exact bytes',
      body: invalidUtf8,
      headers: headers(entry(invalidUtf8)),
      expect: ok(ID, 'resource.created', { dataField: ['raw', 'a\ufffd(\ufffdz'] }),
    },
    {
      name: 'valid: unknown event type is delivered, its extra fields kept',
      body: unknownType,
      headers: headers(entry(unknownType)),
      expect: ok(ID, 'model.deployed', { fields: { api_version: '2027-01-01' } }),
    },
    {
      name: 'valid: the event id is the webhook-id header, whatever id the payload carries',
      body: ownId,
      headers: headers(entry(ownId)),
      expect: ok(ID, 'batch.completed'),
    },
    {
      name: 'valid: secret configured as bare base64, without whsec_',
      body: batch,
      secret: SECRET.slice('whsec_'.length),
      headers: headers(good),
      expect: ok(ID, 'batch.completed'),
    },
    {
      name: 'valid: 31-byte key, its base64 padded',
      body: batch,
      secret: PADDED_SECRET,
      headers: headers(entry(batch, { secret: PADDED_SECRET })),
      expect: ok(ID, 'batch.completed'),
    },
    {
      name: 'valid: 31-byte key, its base64 padding left out',
      body: batch,
      secret: PADDED_SECRET.replace(/=+$/, ''),
      headers: headers(entry(batch, { secret: PADDED_SECRET })),
      expect: ok(ID, 'batch.completed'),
    },
    {
      name: 'several entries: v1a and v2 entries are skipped, the v1 one matches',
      body: batch,
      headers: headers(`v1a,${Buffer.alloc(64, 7).toString('base64')} v2,${good.slice(3)} ${good} v1a,${good.slice(3)}`),
      expect: ok(ID, 'batch.completed'),
    },
    {
      name: 'several entries: a wrong v1 entry before the right one',
      body: batch,
      headers: headers(`${entry(batch, { secret: OTHER_SECRET })} ${good}`),
      expect: ok(ID, 'batch.completed'),
    },
    {
      name: 'several entries: separated by runs of spaces',
      body: batch,
      headers: headers(`${fakeEntry(1)}   ${good}  ${fakeEntry(2)}`),
      expect: ok(ID, 'batch.completed'),
    },
    {
      name: 'several entries: 8 considered, the 8th matches',
      body: batch,
      headers: headers([...Array.from({ length: 7 }, (_, i) => fakeEntry(i + 1)), good].join(' ')),
      expect: ok(ID, 'batch.completed'),
    },
    {
      name: 'rotation: signed with the new secret, two secrets configured',
      body: batch,
      secret: [OLD_SECRET, SECRET],
      headers: headers(good),
      expect: ok(ID, 'batch.completed'),
    },
    {
      name: 'rotation: signed with the old secret, two secrets configured',
      body: batch,
      secret: [SECRET, OLD_SECRET],
      headers: headers(entry(batch, { secret: OLD_SECRET })),
      expect: ok(ID, 'batch.completed'),
    },
    {
      name: 'rotation: sender signs with old and new, receiver has the new one',
      body: batch,
      headers: headers(`${entry(batch, { secret: OLD_SECRET })} ${good}`),
      expect: ok(ID, 'batch.completed'),
    },
    { name: 'tolerance edge, past: exactly 300 s old is accepted', body: fineTune, headers: valid, now: ms(T + 300), expect: ok(ID, 'fine_tune.completed') },
    { name: 'tolerance edge, future: exactly 300 s ahead is accepted', body: fineTune, headers: valid, now: ms(T - 300), expect: ok(ID, 'fine_tune.completed') },

    { name: 'missing_signature', body: fineTune, headers: without('webhook-signature', valid), expect: fail('missing_signature', 401) },
    { name: 'missing_signature: blank header', body: fineTune, headers: { ...valid, 'webhook-signature': '  ' }, expect: fail('missing_signature', 401) },
    { name: 'missing_id', body: fineTune, headers: without('webhook-id', valid), expect: fail('missing_id', 401) },
    { name: 'missing_id: empty header', body: fineTune, headers: { ...valid, 'webhook-id': '' }, expect: fail('missing_id', 401) },
    { name: 'missing_timestamp', body: fineTune, headers: without('webhook-timestamp', valid), expect: fail('missing_timestamp', 401) },
    { name: 'invalid_timestamp: not digits', body: fineTune, headers: { ...valid, 'webhook-timestamp': 'hello' }, expect: fail('invalid_timestamp', 401) },
    {
      name: 'invalid_timestamp: digits then junk (parseInt would read the digits)',
      body: fineTune,
      headers: { ...valid, 'webhook-timestamp': `${T}abc` },
      expect: fail('invalid_timestamp', 401),
    },
    { name: 'invalid_timestamp: milliseconds with a dot', body: fineTune, headers: { ...valid, 'webhook-timestamp': `${T}.5` }, expect: fail('invalid_timestamp', 401) },
    { name: 'signature_mismatch: other secret', body: fineTune, headers: headers(entry(fineTune, { secret: OTHER_SECRET })), expect: fail('signature_mismatch', 401) },
    {
      name: 'signature_mismatch: one body byte changed',
      body: Buffer.from(fineTune.toString('utf8').replace('"status":"completed"', '"status":"completeD"'), 'utf8'),
      headers: valid,
      expect: fail('signature_mismatch', 401),
    },
    {
      name: 'signature_mismatch: another webhook-id than the one signed',
      body: fineTune,
      headers: { ...valid, 'webhook-id': `${ID}x` },
      expect: fail('signature_mismatch', 401),
    },
    {
      name: 'signature_mismatch: timestamp changed',
      body: fineTune,
      headers: { ...valid, 'webhook-timestamp': String(T + 1) },
      now: ms(T + 1),
      expect: fail('signature_mismatch', 401),
    },
    // The scheme's HMAC over the bytes the default scheme signs: opensslSignature always puts the id first.
    {
      name: 'signature_mismatch: signed without the id (<timestamp>.<body>)',
      body: fineTune,
      headers: headers(`v1,${opensslHmac(standardWebhooksKey(SECRET), Buffer.concat([Buffer.from(`${T}.`), fineTune])).toString('base64')}`),
      expect: fail('signature_mismatch', 401),
    },
    // A signature header that is malformed, or right in part only.
    ...(
      [
        ['partial signature (first 8 characters)', validEntry.slice(0, 8)],
        ['empty v1 entry', 'v1,'],
        ['not base64', 'v1,dawfeoifkpqwoekfpqoekf!!*'],
        ['base64 padding left out', validEntry.replace(/=+$/, '')],
        ['hex instead of base64', `v1,${Buffer.from(validEntry.slice(3), 'base64').toString('hex')}`],
        ['no version prefix', validEntry.slice(3)],
        ['right bytes under version v1a', `v1a,${validEntry.slice(3)}`],
        ['right bytes under version v2', `v2,${validEntry.slice(3)}`],
      ] as const
    ).map(([what, signature]) => ({ name: `signature_mismatch: ${what}`, body: fineTune, headers: headers(signature), expect: fail('signature_mismatch', 401) })),
    // A header given twice arrives joined with `,` (Node) or `, ` (Fetch): the entries are found by
    // their version markers, so the valid one counts wherever it is, and a stray token after it is skipped.
    ...(
      [
        ['comma-joined entries (a header given twice)', `${fakeEntry(1)},${validEntry}`],
        ['comma-and-space-joined entries, valid first', `${validEntry}, ${fakeEntry(1)}`],
        ['the entry followed by a stray token (v1,<signature>,x)', `${validEntry},x`],
      ] as const
    ).map(([what, signature]) => ({ name: `valid: ${what}`, body: fineTune, headers: headers(signature), expect: ok(ID, 'fine_tune.completed') })),
    {
      name: 'signature_mismatch: a 9th entry is never considered',
      body: batch,
      headers: headers([...Array.from({ length: 8 }, (_, i) => fakeEntry(i + 1)), good].join(' ')),
      expect: fail('signature_mismatch', 401),
    },
    {
      name: 'signature_mismatch: checked before age (forged and stale)',
      body: fineTune,
      headers: headers(entry(fineTune, { secret: OTHER_SECRET })),
      now: ms(T + 3600),
      expect: fail('signature_mismatch', 401),
    },
    {
      name: 'rotation: neither configured secret signed it',
      body: batch,
      secret: [SECRET, OLD_SECRET],
      headers: headers(entry(batch, { secret: OTHER_SECRET })),
      expect: fail('signature_mismatch', 401),
    },
    { name: 'timestamp_too_old', body: fineTune, headers: valid, now: ms(T + 301), expect: fail('timestamp_too_old', 401) },
    { name: 'timestamp_in_future', body: fineTune, headers: valid, now: ms(T - 301), expect: fail('timestamp_in_future', 401) },
    {
      name: 'toleranceSeconds option: 11 s old with a 10 s window',
      body: fineTune,
      headers: valid,
      options: { toleranceSeconds: 10 },
      now: ms(T + 11),
      expect: fail('timestamp_too_old', 401),
    },
    {
      name: 'payload_too_large: checked before hashing (forged body)',
      body: fineTune,
      headers: headers(fakeEntry(1)),
      options: { maxBodyBytes: 16 },
      expect: fail('payload_too_large', 413),
    },
    ...(
      [
        ['not JSON', Buffer.from('type=batch.completed', 'utf8')],
        ['a JSON array', Buffer.from('[{"type":"batch.completed","data":{}}]', 'utf8')],
        ['no type', Buffer.from('{"timestamp":"2026-01-01T00:00:00Z","data":{}}', 'utf8')],
        ['data not an object', Buffer.from('{"type":"batch.completed","timestamp":"2026-01-01T00:00:00Z","data":[1]}', 'utf8')],
        ['the official library’s test payload, which is not an event', Buffer.from('{"test": 2432232314}', 'utf8')],
      ] as const
    ).map(([what, body]) => ({
      name: `invalid_payload: authentic but ${what}`,
      body,
      headers: headers(entry(body)),
      expect: fail('invalid_payload', 400),
    })),
    ...(
      [
        ['not base64', 'whsec_not*base64!'],
        ['base64 of an impossible length', 'whsec_abcde'],
        ['empty after whsec_', 'whsec_'],
        ['the URL-safe alphabet', 'whsec_rMII0-YpvMcYFbi2-FB07dc7VQhsZwZzCQytdbOaiT8'],
      ] as const
    ).map(([what, secret]) => ({
      name: `TypeError: a secret that is ${what}`,
      body: batch,
      secret,
      headers: headers(good),
      expect: typeError,
    })),
  ];
}

/** sign() must produce exactly what OpenSSL computes. */
function signVectors(): SignEntry[] {
  const definitions: { name: string; secret: string | string[]; id: string; timestamp: number; body: Buffer; asText?: true }[] = [
    { name: 'sign: the official library’s known answer', secret: LIBRARY_SECRET, ...LIBRARY_MESSAGE },
    { name: 'sign: JSON payload as bytes', secret: SECRET, id: ID, timestamp: T, body: fineTune },
    { name: 'sign: multi-byte UTF-8 body as text', secret: SECRET, id: ID, timestamp: T + 7, body: unicode, asText: true },
    { name: 'sign: invalid UTF-8 bytes', secret: OLD_SECRET, id: 'msg_bytes', timestamp: T - 60, body: invalidUtf8 },
    { name: 'sign: empty body, timestamp 0', secret: SECRET, id: 'm', timestamp: 0, body: Buffer.alloc(0) },
    { name: 'sign: bare base64 secret', secret: SECRET.slice('whsec_'.length), id: ID, timestamp: T, body: batch },
    { name: 'sign: unpadded base64 secret', secret: PADDED_SECRET.replace(/=+$/, ''), id: ID, timestamp: T, body: batch },
    { name: 'sign: two secrets, one entry each, space-separated', secret: [OLD_SECRET, SECRET], id: ID, timestamp: T, body: batch },
  ];
  return definitions.map(({ body, ...rest }) => ({
    ...rest,
    bodyBase64: body.toString('base64'),
    expected: {
      'webhook-id': rest.id,
      'webhook-timestamp': String(rest.timestamp),
      'webhook-signature': [rest.secret]
        .flat()
        .map((secret) => entry(body, { secret, id: rest.id, timestamp: rest.timestamp }))
        .join(' '),
    },
  }));
}

/** The contents of standard-webhooks-vectors.json, every signature computed by OpenSSL now. */
export function standardWebhooksVectorsFile(): StandardWebhooksVectorsFile {
  // OpenSSL and the key decoding are checked against the official library's published answer before anything is built.
  const known = entry(LIBRARY_MESSAGE.body, { secret: LIBRARY_SECRET, id: LIBRARY_MESSAGE.id, timestamp: LIBRARY_MESSAGE.timestamp });
  if (known !== LIBRARY_ANSWER) throw new Error(`openssl gave ${known} for the library's known answer, not ${LIBRARY_ANSWER}`);
  const file: StandardWebhooksVectorsFile = {
    about:
      'Known-answer vectors for the Standard Webhooks scheme of @x/together-webhooks-core (spec section 11). ' +
      'Signatures by `openssl dgst -sha256 -mac HMAC -macopt hexkey:<key>`, built by runtimes/test/vectors/standard-webhooks.ts; ' +
      'regenerate with `pnpm --filter @x/together-webhooks-runtimes vectors`.',
    scheme: 'standard-webhooks',
    secret: SECRET,
    timestamp: T,
    vectors: vectors().map((vector) => vectorEntry(vector, SECRET)),
    signVectors: signVectors(),
  };
  assertUniqueNames('standard-webhooks-vectors.json', file);
  return file;
}
