import { createHmac } from 'node:crypto';
import { sign, standardWebhooksScheme, togetherScheme, type WebhookScheme } from '@x/together-webhooks-core';
import { describe, expect, it } from 'vitest';
import { diagnose, type Cause, type DiagnoseInput, type Diagnosis } from '../src/diagnose.js';
import type { SchemeName } from '../src/schemes.js';

const T = 1_736_937_000;
const NOW = T * 1000;
const EVENT = { id: 'evt_d1', type: 'batch.completed', created: '2025-01-15T10:30:00Z', data: { id: 'b-1', status: 'COMPLETED' } };
const bytes = (text: string) => new TextEncoder().encode(text);
const whsec = (key: string) => `whsec_${Buffer.from(key).toString('base64')}`;

/** One scheme under test: its secrets, its body for EVENT, its header names. */
interface SchemeCase {
  name: SchemeName;
  scheme: WebhookScheme;
  secret: string;
  other: string;
  compact: string;
  signatureHeader: string;
  timestampHeader: string;
}

const together: SchemeCase = {
  name: 'together',
  scheme: togetherScheme(),
  secret: 'whsec_diagnose_Zq81mNc4',
  other: 'whsec_diagnose_other_Lp0x',
  compact: togetherScheme().encode(EVENT),
  signatureHeader: 'x-together-signature',
  timestampHeader: 'x-together-timestamp',
};
const standard: SchemeCase = {
  name: 'standard',
  scheme: standardWebhooksScheme(),
  secret: whsec('diagnose key Zq81mNc4 of 32 byte'),
  other: whsec('diagnose other key Lp0x, 32 byte'),
  compact: standardWebhooksScheme().encode(EVENT),
  signatureHeader: 'webhook-signature',
  timestampHeader: 'webhook-timestamp',
};
const SCHEMES = [together, standard];

const pretty = (compact: string, indent: string | number = 2) => JSON.stringify(JSON.parse(compact), null, indent);

/** A delivery signed over `signed` (with `secret`, at `timestamp`) but received as `received`. */
function delivery(s: SchemeCase, signed: string | Uint8Array, options: { received?: string | Uint8Array; secret?: string; timestamp?: number } = {}) {
  const headers: Record<string, string> = sign(signed, { secret: options.secret ?? s.secret, timestamp: options.timestamp ?? T, scheme: s.scheme, id: EVENT.id });
  const received = options.received ?? signed;
  return { body: typeof received === 'string' ? bytes(received) : received, headers };
}

/** Diagnoses, and checks that nothing secret comes out: no secret, no key, no signature. */
function run(s: SchemeCase, input: Omit<DiagnoseInput, 'now' | 'scheme'> & { now?: number }): Diagnosis {
  const diagnosis = diagnose({ now: NOW, scheme: s.name, ...input });
  const text = JSON.stringify(diagnosis);
  for (const secret of [...input.secrets, s.secret, s.other]) {
    expect(text).not.toContain(secret.trim());
    expect(text).not.toContain(secret.trim().replace(/^whsec_/, ''));
  }
  expect(text).not.toMatch(/[0-9a-f]{64}|[A-Za-z0-9+/]{43}=/i);
  expect(diagnosis.scheme).toBe(s.name);
  return diagnosis;
}

const kinds = (diagnosis: Diagnosis) => diagnosis.causes.map((cause) => cause.kind);
function cause<K extends Cause['kind']>(diagnosis: Diagnosis, kind: K): Extract<Cause, { kind: K }> {
  const found = diagnosis.causes.find((item): item is Extract<Cause, { kind: K }> => item.kind === kind);
  if (!found) throw new Error(`no ${kind} cause in ${JSON.stringify(diagnosis.causes)}`);
  return found;
}

/** HMAC-SHA256, independently of the code under test: for signatures a careless sender makes. */
const hmac = (key: string | Uint8Array, content: string) => createHmac('sha256', key).update(content).digest();
const keyOf = (secret: string) => Buffer.from(secret.replace(/^whsec_/, ''), 'base64');

describe.each(SCHEMES)('diagnose ($name): deliveries that verify', (s) => {
  it('says so, with the event and how old it is', () => {
    const diagnosis = run(s, { ...delivery(s, s.compact, { timestamp: T - 7 }), secrets: [s.secret] });
    expect(diagnosis).toEqual({ ok: true, scheme: s.name, event: { id: 'evt_d1', type: 'batch.completed' }, secret: 0, ageSeconds: 7, causes: [] });
  });

  it('with several secrets, says which one signed it (by index)', () => {
    const diagnosis = run(s, { ...delivery(s, s.compact, { secret: s.other }), secrets: [s.secret, s.other] });
    expect(diagnosis).toMatchObject({ ok: true, secret: 1 });
    expect(cause(diagnosis, 'signed_with_secret')).toMatchObject({ secret: 1, of: 2, message: 'signed with secret #2 of the 2 configured' });
  });

  it('reads every shape of headers: Headers, pairs, arrays', () => {
    const { body, headers } = delivery(s, s.compact);
    const arrays = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toUpperCase(), [value]]));
    for (const shape of [new Headers(headers), Object.entries(headers), arrays]) expect(run(s, { body, headers: shape, secrets: [s.secret] }).ok).toBe(true);
  });
});

describe.each(SCHEMES)('diagnose ($name): a body changed after signing', (s) => {
  const compact = s.compact;
  const notUtf8 = (tail: string) => new Uint8Array([...bytes('{"id":"e","type":"t","data":{"x":"'), 0xff, ...bytes(`"}}${tail}`)]);
  const crlf = (text: string) => text.replace(/\n/g, '\r\n');
  const changes: [string, string | Uint8Array, string | Uint8Array, string][] = [
    ['a trailing newline added', compact, `${compact}\n`, 'trailing_newline_added'],
    ['a trailing CRLF added', compact, `${compact}\r\n`, 'trailing_newline_added'],
    ['trailing spaces and newlines added', compact, `${compact}  \n\n`, 'trailing_whitespace_added'],
    ['the trailing newline lost', `${compact}\n`, compact, 'trailing_newline_removed'],
    ['compact JSON pretty-printed', compact, pretty(compact), 'reformatted_from_compact_json'],
    ['compact JSON re-indented with 4 spaces', compact, pretty(compact, 4), 'reformatted_from_compact_json'],
    ['pretty JSON compacted', pretty(compact), compact, 'reformatted_from_pretty_json'],
    ['pretty JSON (ending in a newline) compacted', `${pretty(compact)}\n`, compact, 'reformatted_from_pretty_json'],
    ['CRLF line endings turned to LF', crlf(pretty(compact)), pretty(compact), 'lf_line_endings'],
    ['a byte-order mark added', compact, `\uFEFF${compact}`, 'byte_order_mark_added'],
    ['a trailing newline added to bytes that are not UTF-8', notUtf8(''), notUtf8('\n'), 'trailing_newline_added'],
    // An indented body converted to CRLF is also undone by re-formatting it: the line endings are
    // the more specific cause, and win.
    ['LF line endings turned to CRLF (2-space indent)', pretty(compact), crlf(pretty(compact)), 'crlf_line_endings'],
    ['LF line endings turned to CRLF (4-space indent)', pretty(compact, 4), crlf(pretty(compact, 4)), 'crlf_line_endings'],
    ['LF line endings turned to CRLF (tab indent)', pretty(compact, '\t'), crlf(pretty(compact, '\t')), 'crlf_line_endings'],
    ['LF line endings turned to CRLF (indented, final newline)', `${pretty(compact)}\n`, crlf(`${pretty(compact)}\n`), 'crlf_line_endings'],
  ];

  it.each(changes)('%s: signature_mismatch, and says which change undoes it', (_name, signed, received, change) => {
    const diagnosis = run(s, { ...delivery(s, signed, { received }), secrets: [s.secret] });
    expect(diagnosis).toMatchObject({ ok: false, code: 'signature_mismatch', status: 401, check: 'signature' });
    expect(diagnosis.causes).toEqual([expect.objectContaining({ kind: 'body_changed', change, secret: 0 })]);
  });

  it('the messages say what happened in plain words', () => {
    const newline = run(s, { ...delivery(s, compact, { received: `${compact}\n` }), secrets: [s.secret] });
    expect(cause(newline, 'body_changed').message).toMatch(/^the body differs from the one that was signed only by a trailing newline/);
    const indented = run(s, { ...delivery(s, compact, { received: pretty(compact) }), secrets: [s.secret] });
    expect(cause(indented, 'body_changed').message).toMatch(/re-formatted after signing: it was signed as compact JSON/);
    const converted = run(s, { ...delivery(s, pretty(compact), { received: crlf(pretty(compact)) }), secrets: [s.secret] });
    expect(cause(converted, 'body_changed').message).toMatch(/^the body was signed with LF line endings and now has CRLF/);
  });

  it('with several secrets, names the one that signed the original body', () => {
    const diagnosis = run(s, { ...delivery(s, compact, { received: `${compact}\n`, secret: s.other }), secrets: [s.secret, s.other] });
    expect(cause(diagnosis, 'body_changed')).toMatchObject({ secret: 1, message: expect.stringMatching(/\(signed with secret #2\)$/) as string });
  });

  it('a changed body that is also stale: both causes', () => {
    const diagnosis = run(s, { ...delivery(s, compact, { received: `${compact}\n`, timestamp: T - 1000 }), secrets: [s.secret] });
    expect(kinds(diagnosis)).toEqual(['body_changed', 'clock_skew']);
    expect(cause(diagnosis, 'clock_skew')).toMatchObject({ ageSeconds: 1000, beyondSeconds: 700 });
  });
});

describe.each(SCHEMES)('diagnose ($name): the secret', (s) => {
  it('surrounding whitespace: refused by the SDK, and the trimmed secret verifies', () => {
    const diagnosis = run(s, { ...delivery(s, s.compact), secrets: [`${s.secret}\n`] });
    expect(diagnosis).toMatchObject({ ok: false, code: 'invalid_secret', check: 'configuration: the secret', secret: 0 });
    expect(cause(diagnosis, 'secret_whitespace')).toMatchObject({ secret: 0, trimmedVerifies: true });
    expect(cause(diagnosis, 'secret_whitespace').message).toMatch(/trimmed, it verifies this delivery$/);
    expect(diagnosis.event).toEqual({ id: 'evt_d1', type: 'batch.completed' });
  });

  it('whitespace around the second of two secrets, which signed it', () => {
    const diagnosis = run(s, { ...delivery(s, s.compact, { secret: s.other }), secrets: [s.secret, ` ${s.other}`] });
    expect(cause(diagnosis, 'secret_whitespace')).toMatchObject({ secret: 1, trimmedVerifies: true });
    expect(cause(diagnosis, 'secret_whitespace').message).toMatch(/^secret #2 has leading or trailing whitespace/);
  });

  it('whitespace, and even trimmed it is the wrong secret: both said', () => {
    const diagnosis = run(s, { ...delivery(s, s.compact, { secret: s.other }), secrets: [` ${s.secret} `] });
    expect(kinds(diagnosis)).toEqual(['secret_whitespace', 'unknown_secret_or_body']);
    expect(cause(diagnosis, 'secret_whitespace').trimmedVerifies).toBe(false);
  });

  it('an unknown secret: no body change explains it', () => {
    const diagnosis = run(s, { ...delivery(s, s.compact, { secret: whsec('someone else') }), secrets: [s.secret, s.other] });
    expect(diagnosis.code).toBe('signature_mismatch');
    expect(kinds(diagnosis)).toEqual(['unknown_secret_or_body']);
    expect(diagnosis.causes[0]!.message).toMatch(/^none of the 2 secrets signs this body.*signed with another secret/);
    expect(diagnosis.secret).toBeUndefined();
  });

  it('refuses an empty secret list or an empty secret (the CLI checks first)', () => {
    expect(() => diagnose({ ...delivery(s, s.compact), scheme: s.name, secrets: [] })).toThrow(TypeError);
    expect(() => diagnose({ ...delivery(s, s.compact), scheme: s.name, secrets: [s.secret, '  '] })).toThrow(/secret #2 is empty/);
  });
});

describe.each(SCHEMES)('diagnose ($name): the clock', (s) => {
  const clock: [string, { timestamp: number; secret?: string; tolerance?: number }, Partial<Diagnosis>, Record<string, unknown>, RegExp][] = [
    ['authentic but old: by how many seconds, beyond the window', { timestamp: T - 912 }, { code: 'timestamp_too_old', ageSeconds: 912, secret: 0 }, { ageSeconds: 912, beyondSeconds: 612 }, /made 912 s ago, 612 s beyond the 300 s replay window.*ahead of the sender's/],
    ['authentic but in the future: this clock is behind', { timestamp: T + 400 }, { code: 'timestamp_in_future', ageSeconds: -400 }, { beyondSeconds: 100 }, /400 s in the future, 100 s beyond the 300 s replay window.*behind the sender's/],
    ['a timestamp in milliseconds says so', { timestamp: T * 1000 }, { code: 'timestamp_in_future' }, {}, /looks like milliseconds/],
    ["the receiver's window", { timestamp: T - 100, tolerance: 60 }, { code: 'timestamp_too_old' }, { ageSeconds: 100, beyondSeconds: 40 }, /beyond the 60 s replay window/],
  ];

  it.each(clock)('%s', (_name, { timestamp, tolerance }, verdict, skew, message) => {
    const diagnosis = run(s, { ...delivery(s, s.compact, { timestamp }), secrets: [s.secret], ...(tolerance === undefined ? {} : { toleranceSeconds: tolerance }) });
    expect(diagnosis).toMatchObject(verdict);
    expect(cause(diagnosis, 'clock_skew')).toMatchObject(skew);
    expect(cause(diagnosis, 'clock_skew').message).toMatch(message);
  });

  it('names the secret that made a stale signature, among several', () => {
    const diagnosis = run(s, { ...delivery(s, s.compact, { secret: s.other, timestamp: T - 600 }), secrets: [s.secret, s.other] });
    expect(kinds(diagnosis)).toEqual(['clock_skew', 'signed_with_secret']);
    expect(cause(diagnosis, 'clock_skew').message).toMatch(/valid \(made with secret #2\)/);
  });
});

describe.each(SCHEMES)('diagnose ($name): headers', (s) => {
  const signed = delivery(s, s.compact);
  const without = (name: string) => Object.fromEntries(Object.entries(signed.headers).filter(([key]) => key !== name));

  it.each(s.scheme.headerNames.map((name) => [name]))('a lost %s header', (name) => {
    const diagnosis = run(s, { body: signed.body, headers: without(name), secrets: [s.secret] });
    expect(diagnosis).toMatchObject({ code: name.endsWith('-id') ? 'missing_id' : name.endsWith('-signature') ? 'missing_signature' : 'missing_timestamp', status: 401 });
    expect(diagnosis.check).toBe(`headers: ${name} present`);
    expect(diagnosis.causes).toEqual([expect.objectContaining({ kind: 'missing_header', header: name, similar: [] })]);
    expect(cause(diagnosis, 'missing_header').message).toMatch(/proxy, load balancer or framework.*dropped it/);
  });

  it('signature and timestamp lost, and a renamed header found', () => {
    const renamed = s.signatureHeader.replace(/signature$/, 'sig');
    const headers: [string, string][] = [[renamed.toUpperCase(), 'abc'], ['content-type', 'application/json'], ...Object.entries(without(s.signatureHeader)).filter(([name]) => name !== s.timestampHeader)];
    const diagnosis = run(s, { body: signed.body, headers, secrets: [s.secret] });
    expect(diagnosis.causes.filter((item) => item.kind === 'missing_header').map((item) => item.header)).toEqual([s.signatureHeader, s.timestampHeader]);
    expect(cause(diagnosis, 'missing_header').similar).toEqual([renamed]);
  });

  const timestamps: [string, string | [string, string], RegExp][] = [
    ['an ISO 8601 date', '2025-01-15T10:30:00Z', /ISO 8601 date/],
    ['a fraction', '1736937000.5', /fraction/],
    ['microseconds', '1736937000000000', /far too long for seconds/],
    ['the header twice', [String(T), String(T)], /arrived more than once/],
  ];
  it.each(timestamps)('a timestamp that is not Unix seconds: %s', (_name, value, message) => {
    const headers: [string, string][] = [...Object.entries(without(s.timestampHeader)), ...(Array.isArray(value) ? value : [value]).map((item): [string, string] => [s.timestampHeader, item])];
    const diagnosis = run(s, { body: signed.body, headers, secrets: [s.secret] });
    expect(diagnosis).toMatchObject({ code: 'invalid_timestamp', check: `headers: ${s.timestampHeader} is Unix seconds` });
    expect(cause(diagnosis, 'timestamp_format').message).toMatch(message);
  });

  it('more than 8 signatures: rejected whatever they are', () => {
    const signature = signed.headers[s.signatureHeader]!;
    const many = s.name === 'together' ? [...Array.from({ length: 8 }, () => '0'.repeat(64)), signature].join(',') : [...Array.from({ length: 8 }, () => `v1,${'A'.repeat(43)}=`), signature].join(' ');
    const diagnosis = run(s, { body: signed.body, headers: { ...signed.headers, [s.signatureHeader]: many }, secrets: [s.secret] });
    expect(diagnosis.causes).toEqual([expect.objectContaining({ kind: 'too_many_signatures', count: 9 })]);
  });

  it('a delivery of the other scheme: says which scheme to verify with', () => {
    const otherScheme = s === together ? standard : together;
    const theirs = delivery(otherScheme, otherScheme.compact);
    const diagnosis = run(s, { ...theirs, secrets: [s.secret] });
    expect(diagnosis.code).toBe('missing_signature');
    expect(diagnosis.causes).toEqual([expect.objectContaining({ kind: 'wrong_scheme', scheme: otherScheme.name })]);
    expect(diagnosis.causes[0]!.message).toMatch(new RegExp(`carries ${otherScheme.signatureHeader}, not ${s.signatureHeader}.*--scheme ${otherScheme.name}$`));
  });
});

describe.each(SCHEMES)('diagnose ($name): the body itself', (s) => {
  it('authentic but not an event', () => {
    const diagnosis = run(s, { ...delivery(s, '[1,2,3]'), secrets: [s.secret] });
    expect(diagnosis).toMatchObject({ code: 'invalid_payload', status: 400, check: 'event envelope' });
    expect(cause(diagnosis, 'invalid_payload').message).toMatch(/not JSON or not an event envelope: the sender signed something else; this scheme's envelope is \{ .*data \}$/);
  });

  it('authentic but empty', () => {
    const diagnosis = run(s, { ...delivery(s, ''), secrets: [s.secret] });
    expect(cause(diagnosis, 'invalid_payload').message).toMatch(/^the body is empty/);
  });

  it('too large, with a valid signature', () => {
    const big = JSON.stringify({ ...JSON.parse(s.compact), data: { blob: 'x'.repeat(1024 * 1024) } });
    const diagnosis = run(s, { ...delivery(s, big), secrets: [s.secret] });
    expect(diagnosis).toMatchObject({ code: 'payload_too_large', status: 413 });
    expect(cause(diagnosis, 'too_large').message).toMatch(/over the limit \(maxBodyBytes, 1 MiB by default\).*; its signature is valid$/);
  });
});

/** A scheme's own mistakes: the headers (as pairs, so one can repeat) and what the diagnosis says. */
type Mistake = [name: string, s: SchemeCase, headers: () => [string, string][], secrets: string[], expected: Partial<Diagnosis>, causes: Record<string, unknown>[]];

const signedHeaders = (s: SchemeCase, secret = s.secret): [string, string][] => Object.entries(delivery(s, s.compact, { secret }).headers);
const replaced = (s: SchemeCase, value: string, secret = s.secret): [string, string][] =>
  signedHeaders(s, secret).map(([name, old]): [string, string] => [name, name === s.signatureHeader ? value : old]);
const togetherMac = hmac(together.secret, `${T}.${together.compact}`);
const standardMac = hmac(keyOf(standard.secret), `${EVENT.id}.${T}.${standard.compact}`);
const decodedKeySecret = whsec('a together secret in whsec_ form');
const notBase64 = 'not base64: a password!';
const format = (value: string) => expect.stringMatching(value) as string;

const mistakes: Mistake[] = [
  ['together: a prefix before the hex digits', together, () => replaced(together, `sha256=${togetherMac.toString('hex')}`), [together.secret], { code: 'signature_mismatch' }, [
    { kind: 'signature_format', format: 'prefixed', message: format('holds "sha256=" before the hex digits') },
    { kind: 'signature_format', format: 'prefixed', message: 'without its prefix, the signature is valid: send the bare hex digits' },
  ]],
  ['together: base64 that is not the signature', together, () => replaced(together, Buffer.from('x'.repeat(32)).toString('base64')), [together.secret], { code: 'signature_mismatch' }, [
    { kind: 'signature_format', format: 'base64', message: format('no 64-digit hex signature \\(1 entry of length 44\\)') },
  ]],
  ['together: the signature in base64', together, () => replaced(together, togetherMac.toString('base64')), [together.secret], { code: 'signature_mismatch' }, [
    { kind: 'signature_format', format: 'base64' },
    { kind: 'signature_format', format: 'base64', message: format('^converted from base64 to hex, the signature is valid') },
  ]],
  ['together: signed over the body alone (no timestamp)', together, () => replaced(together, hmac(together.secret, together.compact).toString('hex')), [together.secret], { code: 'signature_mismatch' }, [
    { kind: 'signed_content', omitted: 'timestamp', secret: 0, message: format('^the signature is over the body alone') },
  ]],
  ['together: keyed with the decoded whsec_ bytes', together, () => replaced(together, hmac(keyOf(decodedKeySecret), `${T}.${together.compact}`).toString('hex')), [decodedKeySecret], { code: 'signature_mismatch' }, [
    { kind: 'key_encoding', secret: 0, message: format('bytes the secret\'s base64 decodes to') },
  ]],
  ['standard: hex that is not the signature', standard, () => replaced(standard, `v1,${'ab'.repeat(32)}`), [standard.secret], { code: 'signature_mismatch' }, [
    { kind: 'signature_format', format: 'hex', message: format('holds v1 entries in hex') },
  ]],
  ['standard: the signature in hex', standard, () => replaced(standard, `v1,${standardMac.toString('hex')}`), [standard.secret], { code: 'signature_mismatch' }, [
    { kind: 'signature_format', format: 'hex' },
    { kind: 'signature_format', format: 'hex', message: format('^converted from hex to base64, the signature is valid') },
  ]],
  ['standard: only a v1a entry', standard, () => replaced(standard, `v1a,${'A'.repeat(86)}==`), [standard.secret], { code: 'signature_mismatch' }, [
    { kind: 'signature_format', format: 'other_version', message: format('holds only v1a entries, which are skipped') },
  ]],
  ['standard: no "v1," before the signature', standard, () => replaced(standard, standardMac.toString('base64')), [standard.secret], { code: 'signature_mismatch' }, [
    { kind: 'signature_format', format: 'unversioned' },
    { kind: 'signature_format', format: 'unversioned', message: format('^as "v1,<base64>", the signature is valid') },
  ]],
  ['standard: signed without the webhook-id', standard, () => replaced(standard, `v1,${hmac(keyOf(standard.secret), `${T}.${standard.compact}`).toString('base64')}`), [standard.other, standard.secret], { code: 'signature_mismatch' }, [
    { kind: 'signed_content', omitted: 'id', secret: 1, message: format('without the webhook-id.*\\(signed with secret #2\\)$') },
  ]],
  ['standard: keyed with the secret\'s text', standard, () => replaced(standard, `v1,${hmac(standard.secret, `${EVENT.id}.${T}.${standard.compact}`).toString('base64')}`), [standard.secret], { code: 'signature_mismatch' }, [
    { kind: 'key_encoding', secret: 0, message: format('^the signature was made with the secret\'s text as the key') },
  ]],
  ['standard: a secret that is not base64, whose text made the signature', standard, () => replaced(standard, `v1,${hmac(notBase64, `${EVENT.id}.${T}.${standard.compact}`).toString('base64')}`), [notBase64], { code: 'invalid_secret', check: 'configuration: the secret' }, [
    { kind: 'secret_encoding', secret: 0, asTextVerifies: true, message: format('^the secret is not a Standard Webhooks secret.*signed with its text as the key') },
  ]],
  ['standard: a secret that is not base64, beside a good one', standard, () => signedHeaders(standard), [standard.secret, notBase64], { code: 'invalid_secret', event: { id: 'evt_d1', type: 'batch.completed' }, secret: 0 }, [
    { kind: 'secret_encoding', secret: 1, asTextVerifies: false, message: format('^secret #2 is not a Standard Webhooks secret') },
  ]],
];

describe('diagnose: each scheme\'s own mistakes', () => {
  // As the core verifies: a header sent twice arrives joined with ",", and its entries still pair.
  it('standard: the header sent twice (joined with ",") verifies, as it does in the core', () => {
    const headers = [...replaced(standard, `v1,${'A'.repeat(43)}=`), [standard.signatureHeader, `v1,${standardMac.toString('base64')}`] as [string, string]];
    const joined = new Headers(headers);
    expect(joined.get(standard.signatureHeader)).toContain(', v1,');
    expect(run(standard, { body: bytes(standard.compact), headers: joined, secrets: [standard.secret] })).toMatchObject({ ok: true, secret: 0 });
  });

  it.each(mistakes)('%s', (_name, s, headers, secrets, expected, causes) => {
    const diagnosis = run(s, { body: bytes(s.compact), headers: headers(), secrets });
    expect(diagnosis).toMatchObject({ ok: false, ...expected });
    expect(diagnosis.causes).toEqual(causes.map((item) => expect.objectContaining(item) as unknown));
  });
});
