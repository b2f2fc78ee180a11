import { sign } from '@x/together-webhooks-core';
import { describe, expect, it } from 'vitest';
import { diagnose, type Cause, type DiagnoseInput, type Diagnosis } from '../src/diagnose.js';

const SECRET = 'whsec_diagnose_Zq81mNc4';
const OTHER = 'whsec_diagnose_other_Lp0x';
const T = 1_736_937_000;
const NOW = T * 1000;
const COMPACT = '{"id":"evt_d1","type":"batch.completed","created":"2025-01-15T10:30:00Z","data":{"id":"b-1","status":"COMPLETED"}}';
const PRETTY = JSON.stringify(JSON.parse(COMPACT), null, 2);

const bytes = (text: string) => new TextEncoder().encode(text);

/** A delivery signed over `signed` (with `secret`, at `timestamp`) but received as `received`. */
function delivery(signed: string | Uint8Array, options: { received?: string | Uint8Array; secret?: string; timestamp?: number } = {}) {
  const headers: Record<string, string> = sign(signed, { secret: options.secret ?? SECRET, timestamp: options.timestamp ?? T });
  const received = options.received ?? signed;
  return { body: typeof received === 'string' ? bytes(received) : received, headers };
}

function run(input: Omit<DiagnoseInput, 'now'> & { now?: number }): Diagnosis {
  const diagnosis = diagnose({ now: NOW, ...input });
  // Whatever the case, nothing secret comes out: no configured secret, no signature at all.
  const text = JSON.stringify(diagnosis);
  for (const secret of input.secrets) expect(text).not.toContain(secret.trim());
  expect(text).not.toMatch(/[0-9a-f]{64}/i);
  return diagnosis;
}

const kinds = (diagnosis: Diagnosis) => diagnosis.causes.map((cause) => cause.kind);
function cause<K extends Cause['kind']>(diagnosis: Diagnosis, kind: K): Extract<Cause, { kind: K }> {
  const found = diagnosis.causes.find((item): item is Extract<Cause, { kind: K }> => item.kind === kind);
  if (!found) throw new Error(`no ${kind} cause in ${JSON.stringify(diagnosis.causes)}`);
  return found;
}

describe('diagnose: deliveries that verify', () => {
  it('says so, with the event and how old it is', () => {
    const diagnosis = run({ ...delivery(COMPACT, { timestamp: T - 7 }), secrets: [SECRET] });
    expect(diagnosis).toEqual({ ok: true, event: { id: 'evt_d1', type: 'batch.completed' }, secret: 0, ageSeconds: 7, causes: [] });
  });

  it('with several secrets, says which one signed it (by index)', () => {
    const diagnosis = run({ ...delivery(COMPACT, { secret: OTHER }), secrets: [SECRET, OTHER] });
    expect(diagnosis.ok).toBe(true);
    expect(diagnosis.secret).toBe(1);
    expect(cause(diagnosis, 'signed_with_secret')).toMatchObject({ secret: 1, of: 2, message: 'signed with secret #2 of the 2 configured' });
  });
});

describe('diagnose: a body changed after signing', () => {
  const changes: [string, string | Uint8Array, string | Uint8Array, string][] = [
    ['a trailing newline added', COMPACT, `${COMPACT}\n`, 'trailing_newline_added'],
    ['a trailing CRLF added', COMPACT, `${COMPACT}\r\n`, 'trailing_newline_added'],
    ['trailing spaces and newlines added', COMPACT, `${COMPACT}  \n\n`, 'trailing_whitespace_added'],
    ['the trailing newline lost', `${COMPACT}\n`, COMPACT, 'trailing_newline_removed'],
    ['compact JSON pretty-printed', COMPACT, PRETTY, 'reformatted_from_compact_json'],
    ['compact JSON re-indented with 4 spaces', COMPACT, JSON.stringify(JSON.parse(COMPACT), null, 4), 'reformatted_from_compact_json'],
    ['pretty JSON compacted', PRETTY, COMPACT, 'reformatted_from_pretty_json'],
    ['pretty JSON (ending in a newline) compacted', `${PRETTY}\n`, COMPACT, 'reformatted_from_pretty_json'],
    ['LF line endings turned to CRLF', PRETTY, PRETTY.replace(/\n/g, '\r\n'), 'crlf_line_endings'],
    ['CRLF line endings turned to LF', PRETTY.replace(/\n/g, '\r\n'), PRETTY, 'lf_line_endings'],
    ['a byte-order mark added', COMPACT, `\uFEFF${COMPACT}`, 'byte_order_mark_added'],
    [
      'a trailing newline added to bytes that are not UTF-8',
      new Uint8Array([...bytes('{"id":"e","type":"t","data":{"x":"'), 0xff, ...bytes('"}}')]),
      new Uint8Array([...bytes('{"id":"e","type":"t","data":{"x":"'), 0xff, ...bytes('"}}\n')]),
      'trailing_newline_added',
    ],
  ];

  it.each(changes)('%s: signature_mismatch, and says which change undoes it', (_name, signed, received, change) => {
    const diagnosis = run({ ...delivery(signed, { received }), secrets: [SECRET] });
    expect(diagnosis).toMatchObject({ ok: false, code: 'signature_mismatch', status: 401, check: 'signature' });
    expect(diagnosis.causes).toHaveLength(1);
    expect(cause(diagnosis, 'body_changed')).toMatchObject({ change, secret: 0 });
  });

  it('the messages say what happened in plain words', () => {
    const newline = run({ ...delivery(COMPACT, { received: `${COMPACT}\n` }), secrets: [SECRET] });
    expect(cause(newline, 'body_changed').message).toMatch(/^the body differs from the one that was signed only by a trailing newline/);
    const pretty = run({ ...delivery(COMPACT, { received: PRETTY }), secrets: [SECRET] });
    expect(cause(pretty, 'body_changed').message).toMatch(/re-formatted after signing: it was signed as compact JSON/);
  });

  it('with several secrets, names the one that signed the original body', () => {
    const diagnosis = run({ ...delivery(COMPACT, { received: `${COMPACT}\n`, secret: OTHER }), secrets: [SECRET, OTHER] });
    expect(cause(diagnosis, 'body_changed')).toMatchObject({ secret: 1, message: expect.stringMatching(/\(signed with secret #2\)$/) as string });
  });

  it('a changed body that is also stale: both causes', () => {
    const diagnosis = run({ ...delivery(COMPACT, { received: `${COMPACT}\n`, timestamp: T - 1000 }), secrets: [SECRET] });
    expect(kinds(diagnosis)).toEqual(['body_changed', 'clock_skew']);
    expect(cause(diagnosis, 'clock_skew')).toMatchObject({ ageSeconds: 1000, beyondSeconds: 700 });
  });
});

describe('diagnose: the secret', () => {
  it('surrounding whitespace: refused by the SDK, and the trimmed secret verifies', () => {
    const diagnosis = run({ ...delivery(COMPACT), secrets: [`${SECRET}\n`] });
    expect(diagnosis).toMatchObject({ ok: false, code: 'invalid_secret', check: 'configuration: the secret', secret: 0 });
    expect(cause(diagnosis, 'secret_whitespace')).toMatchObject({ secret: 0, trimmedVerifies: true });
    expect(cause(diagnosis, 'secret_whitespace').message).toMatch(/trimmed, it verifies this delivery$/);
    expect(diagnosis.event).toEqual({ id: 'evt_d1', type: 'batch.completed' });
  });

  it('whitespace around the second of two secrets, which signed it', () => {
    const diagnosis = run({ ...delivery(COMPACT, { secret: OTHER }), secrets: [SECRET, ` ${OTHER}`] });
    expect(cause(diagnosis, 'secret_whitespace')).toMatchObject({ secret: 1, trimmedVerifies: true });
    expect(cause(diagnosis, 'secret_whitespace').message).toMatch(/^secret #2 has leading or trailing whitespace/);
  });

  it('whitespace, and even trimmed it is the wrong secret: both said', () => {
    const diagnosis = run({ ...delivery(COMPACT, { secret: OTHER }), secrets: [` ${SECRET} `] });
    expect(kinds(diagnosis)).toEqual(['secret_whitespace', 'unknown_secret_or_body']);
    expect(cause(diagnosis, 'secret_whitespace').trimmedVerifies).toBe(false);
  });

  it('an unknown secret: no body change explains it', () => {
    const diagnosis = run({ ...delivery(COMPACT, { secret: 'whsec_someone_else' }), secrets: [SECRET, OTHER] });
    expect(diagnosis.code).toBe('signature_mismatch');
    expect(kinds(diagnosis)).toEqual(['unknown_secret_or_body']);
    expect(diagnosis.causes[0]!.message).toMatch(/^none of the 2 secrets signs this body.*signed with another secret/);
    expect(diagnosis.secret).toBeUndefined();
  });

  it('refuses an empty secret list or an empty secret (the CLI checks first)', () => {
    expect(() => diagnose({ ...delivery(COMPACT), secrets: [] })).toThrow(TypeError);
    expect(() => diagnose({ ...delivery(COMPACT), secrets: [SECRET, '  '] })).toThrow(/secret #2 is empty/);
  });
});

describe('diagnose: the clock', () => {
  it('authentic but old: by how many seconds, and how far beyond the window', () => {
    const diagnosis = run({ ...delivery(COMPACT, { timestamp: T - 912 }), secrets: [SECRET] });
    expect(diagnosis).toMatchObject({ code: 'timestamp_too_old', ageSeconds: 912, secret: 0 });
    expect(cause(diagnosis, 'clock_skew')).toMatchObject({ ageSeconds: 912, beyondSeconds: 612 });
    expect(cause(diagnosis, 'clock_skew').message).toMatch(/made 912 s ago, 612 s beyond the 300 s replay window.*ahead of the sender's/);
  });

  it('authentic but in the future: this clock is behind', () => {
    const diagnosis = run({ ...delivery(COMPACT, { timestamp: T + 400 }), secrets: [SECRET] });
    expect(diagnosis).toMatchObject({ code: 'timestamp_in_future', ageSeconds: -400 });
    expect(cause(diagnosis, 'clock_skew').message).toMatch(/400 s in the future, 100 s beyond the 300 s replay window.*behind the sender's/);
  });

  it('a timestamp in milliseconds says so', () => {
    const diagnosis = run({ ...delivery(COMPACT, { timestamp: T * 1000 }), secrets: [SECRET] });
    expect(diagnosis.code).toBe('timestamp_in_future');
    expect(cause(diagnosis, 'clock_skew').message).toMatch(/looks like milliseconds/);
  });

  it('uses the receiver\'s window', () => {
    const diagnosis = run({ ...delivery(COMPACT, { timestamp: T - 100 }), secrets: [SECRET], toleranceSeconds: 60 });
    expect(cause(diagnosis, 'clock_skew')).toMatchObject({ ageSeconds: 100, beyondSeconds: 40 });
  });

  it('names the secret that made a stale signature, among several', () => {
    const diagnosis = run({ ...delivery(COMPACT, { secret: OTHER, timestamp: T - 600 }), secrets: [SECRET, OTHER] });
    expect(kinds(diagnosis)).toEqual(['clock_skew', 'signed_with_secret']);
    expect(cause(diagnosis, 'clock_skew').message).toMatch(/valid \(made with secret #2\)/);
  });
});

describe('diagnose: headers', () => {
  const signed = delivery(COMPACT);

  it('a lost signature header', () => {
    const diagnosis = run({ body: signed.body, headers: { 'x-together-timestamp': String(T) }, secrets: [SECRET] });
    expect(diagnosis).toMatchObject({ code: 'missing_signature', status: 401 });
    expect(cause(diagnosis, 'missing_header')).toMatchObject({ header: 'x-together-signature', similar: [] });
    expect(cause(diagnosis, 'missing_header').message).toMatch(/proxy, load balancer or framework.*dropped it/);
  });

  it('a lost timestamp header', () => {
    const diagnosis = run({ body: signed.body, headers: { 'x-together-signature': signed.headers['x-together-signature']! }, secrets: [SECRET] });
    expect(diagnosis.code).toBe('missing_timestamp');
    expect(kinds(diagnosis)).toEqual(['missing_header']);
  });

  it('both lost, and a renamed header found', () => {
    const diagnosis = run({ body: signed.body, headers: [['X-Together-Sig', 'abc'], ['content-type', 'application/json']], secrets: [SECRET] });
    expect(diagnosis.causes.map((item) => (item.kind === 'missing_header' ? item.header : item.kind))).toEqual([
      'x-together-signature',
      'x-together-timestamp',
    ]);
    expect(cause(diagnosis, 'missing_header').similar).toEqual(['x-together-sig']);
  });

  it('a timestamp that is not Unix seconds', () => {
    const iso = run({ body: signed.body, headers: { ...signed.headers, 'x-together-timestamp': '2025-01-15T10:30:00Z' }, secrets: [SECRET] });
    expect(iso.code).toBe('invalid_timestamp');
    expect(cause(iso, 'timestamp_format').message).toMatch(/ISO 8601 date/);
    const fraction = run({ body: signed.body, headers: { ...signed.headers, 'x-together-timestamp': '1736937000.5' }, secrets: [SECRET] });
    expect(cause(fraction, 'timestamp_format').message).toMatch(/fraction/);
    const twice = run({ body: signed.body, headers: [...Object.entries(signed.headers), ['x-together-timestamp', String(T)]], secrets: [SECRET] });
    expect(twice.code).toBe('invalid_timestamp');
    expect(cause(twice, 'timestamp_format').message).toMatch(/arrived more than once/);
  });

  it('a signature with a scheme prefix: valid without it', () => {
    const headers = { ...signed.headers, 'x-together-signature': `sha256=${signed.headers['x-together-signature']!}` };
    const diagnosis = run({ body: signed.body, headers, secrets: [SECRET] });
    expect(diagnosis.code).toBe('signature_mismatch');
    expect(diagnosis.causes.map((item) => item.message)).toEqual([
      expect.stringMatching(/holds "sha256=" before the hex digits/),
      'without its prefix, the signature is valid: send the bare hex digits',
    ]);
  });

  it('a signature that is not hex', () => {
    const headers = { ...signed.headers, 'x-together-signature': Buffer.from('x'.repeat(32)).toString('base64') };
    const diagnosis = run({ body: signed.body, headers, secrets: [SECRET] });
    expect(kinds(diagnosis)).toEqual(['signature_format']);
    expect(diagnosis.causes[0]!.message).toMatch(/no 64-digit hex signature \(1 entry of length 44\)/);
  });

  it('more than 8 signatures: rejected whatever they are', () => {
    const many = [...Array.from({ length: 8 }, () => '0'.repeat(64)), signed.headers['x-together-signature']!].join(',');
    const diagnosis = run({ body: signed.body, headers: { ...signed.headers, 'x-together-signature': many }, secrets: [SECRET] });
    expect(kinds(diagnosis)).toEqual(['too_many_signatures']);
  });

  it('reads every shape of headers: Headers, pairs, arrays', () => {
    for (const headers of [new Headers(signed.headers), Object.entries(signed.headers), { 'X-Together-Signature': [signed.headers['x-together-signature']!], 'X-Together-Timestamp': String(T) }]) {
      expect(run({ body: signed.body, headers, secrets: [SECRET] }).ok).toBe(true);
    }
  });
});

describe('diagnose: the body itself', () => {
  it('authentic but not an event', () => {
    const diagnosis = run({ ...delivery('[1,2,3]'), secrets: [SECRET] });
    expect(diagnosis).toMatchObject({ code: 'invalid_payload', status: 400, check: 'event envelope' });
    expect(cause(diagnosis, 'invalid_payload').message).toMatch(/not a.* object.*not an event envelope/);
  });

  it('authentic but empty', () => {
    const diagnosis = run({ ...delivery(''), secrets: [SECRET] });
    expect(cause(diagnosis, 'invalid_payload').message).toMatch(/^the body is empty/);
  });

  it('too large, with a valid signature', () => {
    const big = JSON.stringify({ id: 'evt_big', type: 'resource.updated', data: { blob: 'x'.repeat(1024 * 1024) } });
    const diagnosis = run({ ...delivery(big), secrets: [SECRET] });
    expect(diagnosis).toMatchObject({ code: 'payload_too_large', status: 413 });
    expect(cause(diagnosis, 'too_large').message).toMatch(/over the limit.*; its signature is valid$/);
  });
});
