/**
 * Interoperability with the official Standard Webhooks library (`standardwebhooks` on npm, the
 * JavaScript library of github.com/standard-webhooks/standard-webhooks): what it signs we verify,
 * what we sign it verifies, the cases of its own test suite decide alike in both, and where the
 * two differ on purpose a test shows how, and says why. Node only: the library takes Node Buffers.
 * Every signature a case needs is computed here with node:crypto, by neither library.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { Webhook, WebhookVerificationError as TheirVerificationError } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createWebhooks,
  sign,
  standardWebhooksScheme,
  verify,
  verifySync,
  WebhookVerificationError,
  type TogetherEvent,
  type WebhookVerificationErrorCode,
} from '@x/together-webhooks-core';
import { createSignedDelivery, createTestEvent } from '@x/together-webhooks-core/testing';
import { TIMESTAMP } from './helpers.js';

const scheme = standardWebhooksScheme();
// The library's test key (base64 of 24 bytes), message id and payload.
const KEY = 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SECRET = `whsec_${KEY}`;
const OTHER_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const MSG_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const LIBRARY_PAYLOAD = '{"test": 2432232314}';
const TOLERANCE = 300;
const EVENT_PAYLOAD = JSON.stringify({
  type: 'fine_tune.completed',
  timestamp: '2025-01-15T10:30:00Z',
  data: { id: 'ft-3b6f1c2e', status: 'completed', model_output_name: 'acme/Llama-3-8B-ft' },
});

type Body = string | Uint8Array;
type HeaderRecord = Record<string, string>;
type Decision = 'accept' | 'reject';

// The library reads the clock itself (Date.now), so both libraries get the same fake one.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(TIMESTAMP * 1000);
});
afterEach(() => {
  vi.useRealTimers();
});

/** `v1,<base64 HMAC-SHA256>` of `<id>.<timestamp>.<body>` keyed with the base64 key's bytes, by node:crypto. */
function referenceEntry(body: Body, { key = KEY, id = MSG_ID, timestamp = String(TIMESTAMP) } = {}): string {
  const hmac = createHmac('sha256', Buffer.from(key.replace(/^whsec_/, ''), 'base64'));
  return `v1,${hmac.update(`${id}.${timestamp}.`).update(body).digest('base64')}`;
}

/** A delivery's headers as the library's own tests build them: the three webhook-* headers, signed at `timestamp`. */
function signedHeaders(body: Body, timestamp = TIMESTAMP): HeaderRecord {
  return { 'webhook-id': MSG_ID, 'webhook-signature': referenceEntry(body, { timestamp: String(timestamp) }), 'webhook-timestamp': String(timestamp) };
}

/** The library's decision; anything it throws but its own verification error is a failure here. */
function theirDecision(secret: string, body: string | Buffer, headers: HeaderRecord): { decision: Decision; value?: unknown; message?: string } {
  try {
    return { decision: 'accept', value: new Webhook(secret).verify(body, headers) };
  } catch (error) {
    if (error instanceof TheirVerificationError) return { decision: 'reject', message: error.message };
    throw error;
  }
}

interface OurOutcome {
  decision: Decision;
  event?: TogetherEvent;
  code?: WebhookVerificationErrorCode;
}

/**
 * Our decision, by `verifySync` and `verify` (which must agree). `invalid_payload` counts as
 * "signature accepted": it is decided only after the signature matched, when the authentic body
 * turns out not to be an event, and the library has no notion of an event.
 */
async function ourOutcome(secret: string | string[], body: Body, headers: HeaderRecord): Promise<OurOutcome> {
  const options = { secret, scheme };
  const classify = (error: unknown): OurOutcome => {
    if (!(error instanceof WebhookVerificationError)) throw error;
    return { decision: error.code === 'invalid_payload' ? 'accept' : 'reject', code: error.code };
  };
  let sync: OurOutcome;
  try {
    sync = { decision: 'accept', event: verifySync({ body, headers }, options) };
  } catch (error) {
    sync = classify(error);
  }
  const async = await verify({ body, headers }, options).then((event): OurOutcome => ({ decision: 'accept', event }), classify);
  expect(async, 'verify and verifySync agree').toEqual(sync);
  return sync;
}

describe('the official library’s own test cases decide alike in both libraries', () => {
  interface LibraryCase {
    name: string;
    decision: Decision;
    /** Our code for a rejection. */
    code?: WebhookVerificationErrorCode;
    /** The secret both verifiers are configured with; the library's tests use the bare base64 key. */
    secret?: string;
    /** When the delivery was signed, relative to the verifiers' clock. */
    signedAt?: number;
    /** The headers sent, from the ones signed. */
    headers?: (signed: HeaderRecord) => HeaderRecord;
  }
  const without =
    (name: string) =>
    (signed: HeaderRecord): HeaderRecord =>
      Object.fromEntries(Object.entries(signed).filter(([key]) => key !== name));
  const withSignature =
    (signature: (valid: string) => string) =>
    (signed: HeaderRecord): HeaderRecord => ({ ...signed, 'webhook-signature': signature(signed['webhook-signature']!) });
  const wrong = 'Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=';

  // The rows restate the library's webhook.test.ts (its behaviour, not its code), one row per check.
  const cases: LibraryCase[] = [
    { name: 'missing id', headers: without('webhook-id'), decision: 'reject', code: 'missing_id' },
    { name: 'missing timestamp', headers: without('webhook-timestamp'), decision: 'reject', code: 'missing_timestamp' },
    { name: 'invalid timestamp ("hello")', headers: (signed) => ({ ...signed, 'webhook-timestamp': 'hello' }), decision: 'reject', code: 'invalid_timestamp' },
    { name: 'missing signature', headers: without('webhook-signature'), decision: 'reject', code: 'missing_signature' },
    { name: 'invalid signature (v1,dawfeoifkpqwoekfpqoekf)', headers: withSignature(() => 'v1,dawfeoifkpqwoekfpqoekf'), decision: 'reject', code: 'signature_mismatch' },
    { name: 'partial signature (its first 8 characters)', headers: withSignature((valid) => valid.slice(0, 8)), decision: 'reject', code: 'signature_mismatch' },
    { name: 'partial signature (v1,)', headers: withSignature(() => 'v1,'), decision: 'reject', code: 'signature_mismatch' },
    { name: 'valid signature', decision: 'accept' },
    {
      name: 'unbranded headers (webhook-*, nothing else)',
      headers: (signed) => Object.fromEntries(Object.entries(signed).filter(([key]) => key.startsWith('webhook-'))),
      decision: 'accept',
    },
    {
      name: 'branded headers (svix-* instead of webhook-*)',
      headers: (signed) => Object.fromEntries(Object.entries(signed).map(([key, value]) => [key.replace('webhook-', 'svix-'), value])),
      decision: 'reject',
      code: 'missing_signature',
    },
    { name: 'old timestamp (signed tolerance + 1 s ago)', signedAt: -TOLERANCE - 1, decision: 'reject', code: 'timestamp_too_old' },
    { name: 'new timestamp (signed tolerance + 1 s ahead)', signedAt: TOLERANCE + 1, decision: 'reject', code: 'timestamp_in_future' },
    {
      name: 'multi-signature header: v1 wrong, v2, the valid one, v1 wrong',
      headers: withSignature((valid) => [`v1,${wrong}`, `v2,${wrong}`, valid, `v1,${wrong}`].join(' ')),
      decision: 'accept',
    },
    { name: 'secret without the whsec_ prefix', secret: KEY, decision: 'accept' },
    { name: 'secret with the whsec_ prefix', secret: SECRET, decision: 'accept' },
  ];

  describe.each([
    { payload: 'the library’s payload {"test": 2432232314} (not an event)', body: LIBRARY_PAYLOAD, isEvent: false },
    { payload: 'an event payload { type, timestamp, data }', body: EVENT_PAYLOAD, isEvent: true },
  ])('with $payload', ({ body, isEvent }) => {
    it.each(cases)('$name: both $decision', async ({ decision, code, secret = KEY, signedAt = 0, headers = (signed) => signed }) => {
      const sent = headers({ 'content-type': 'application/json', ...signedHeaders(body, TIMESTAMP + signedAt) });
      // The library takes a string or a Buffer; so does verify (a Buffer is a Uint8Array).
      for (const form of [body, Buffer.from(body, 'utf8')]) {
        const theirs = theirDecision(secret, form, sent);
        const ours = await ourOutcome(secret, form, sent);
        expect(theirs.decision, 'the library').toBe(decision);
        expect(ours.decision, 'ours').toBe(theirs.decision);
        if (decision === 'reject') {
          expect(ours.code).toBe(code);
          continue;
        }
        expect(theirs.value).toEqual(JSON.parse(body));
        if (!isEvent) {
          // Signature accepted; the body is then not an event, which only we check.
          expect(ours.code).toBe('invalid_payload');
          continue;
        }
        const { timestamp, ...rest } = JSON.parse(body) as Record<string, unknown>;
        expect(ours.event).toEqual({ ...rest, id: MSG_ID, created: timestamp });
      }
    });
  });

  it('empty key: both refuse it when the verifier is made (theirs an Error, ours a TypeError)', () => {
    const headers = signedHeaders(EVENT_PAYLOAD);
    for (const secret of ['', 'whsec_', undefined, null]) {
      expect(() => new Webhook(secret as unknown as string)).toThrow(Error);
      expect(() => createWebhooks({ secret: secret as unknown as string, scheme })).toThrow(TypeError);
      expect(() => verifySync({ body: EVENT_PAYLOAD, headers }, { secret: secret as unknown as string, scheme })).toThrow(TypeError);
      expect(() => sign(EVENT_PAYLOAD, { secret: secret as unknown as string, scheme, id: MSG_ID })).toThrow(TypeError);
    }
  });

  it('known answer: both sign the library’s vector to v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=', () => {
    const expected = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
    const timestamp = 1614265330;
    expect(referenceEntry(LIBRARY_PAYLOAD, { timestamp: String(timestamp) })).toBe(expected);
    expect(new Webhook(SECRET).sign(MSG_ID, new Date(timestamp * 1000), LIBRARY_PAYLOAD)).toBe(expected);
    expect(sign(LIBRARY_PAYLOAD, { secret: SECRET, scheme, id: MSG_ID, timestamp })).toEqual({
      'webhook-id': MSG_ID,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': expected,
    });
  });
});

describe('what the official library signs, we verify', () => {
  const theirHeaders = (secrets: string[], body: string, id = MSG_ID, timestamp = TIMESTAMP): HeaderRecord => ({
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    // A sender rotating its secret sends one entry per secret, space-separated.
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(id, new Date(timestamp * 1000), body)).join(' '),
  });

  it('hands over the event: the webhook-id as id, the payload timestamp as created, every other field kept', async () => {
    const body = JSON.stringify({ type: 'batch.completed', timestamp: '2025-01-15T10:30:00Z', data: { id: 'batch_1', status: 'COMPLETED' }, api_version: 'v2' });
    const headers = theirHeaders([SECRET], body);
    const expected = { id: MSG_ID, type: 'batch.completed', created: '2025-01-15T10:30:00Z', data: { id: 'batch_1', status: 'COMPLETED' }, api_version: 'v2' };
    for (const form of [body, Buffer.from(body, 'utf8'), new TextEncoder().encode(body).buffer]) {
      expect(verifySync({ body: form, headers }, { secret: SECRET, scheme })).toEqual(expected);
      expect(await verify({ body: form, headers }, { secret: KEY, scheme })).toEqual(expected);
    }
    const request = new Request('https://receiver.example/webhooks', { method: 'POST', body, headers });
    expect(await verify(request, { secret: SECRET, scheme })).toEqual(expected);
  });

  it('verifies a sender rotating its secret, with either secret configured', () => {
    const headers = theirHeaders([OTHER_SECRET, SECRET], EVENT_PAYLOAD);
    for (const secret of [SECRET, OTHER_SECRET, [OTHER_SECRET, SECRET]]) {
      expect(verifySync({ body: EVENT_PAYLOAD, headers }, { secret, scheme }).id).toBe(MSG_ID);
    }
    expect(() => verifySync({ body: EVENT_PAYLOAD, headers }, { secret: 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', scheme })).toThrow(WebhookVerificationError);
  });

  it('agrees with it on every signature: any key, message id, timestamp and body (well-formed text)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.stringMatching(/^[\x21-\x7e]{1,40}$/),
        fc.integer({ min: 0, max: 99_999_999_999 }),
        fc.oneof(fc.string({ unit: 'grapheme' }), fc.json()),
        (key, id, timestamp, body) => {
          const secret = `whsec_${Buffer.from(key).toString('base64')}`;
          const theirs = new Webhook(secret).sign(id, new Date(timestamp * 1000), body);
          const ours = sign(body, { secret, scheme, id, timestamp });
          expect(ours['webhook-signature']).toBe(theirs);
          vi.setSystemTime(timestamp * 1000);
          // Both accept the other's signature (jsonParse off: most bodies here are not JSON).
          expect(() => new Webhook(secret).verify(body, ours, { jsonParse: false })).not.toThrow();
          const headers = { ...ours, 'webhook-signature': theirs };
          try {
            verifySync({ body, headers }, { secret, scheme });
          } catch (error) {
            expect((error as WebhookVerificationError).code, 'signature accepted').toBe('invalid_payload');
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('what we sign, the official library verifies', () => {
  it('sign(): a string or bytes body, a whsec_ or bare secret', () => {
    for (const body of [EVENT_PAYLOAD, new TextEncoder().encode('{"type":"resource.updated","timestamp":"t","data":{"name":"Modèle — 模型 🚀"}}')]) {
      for (const secret of [SECRET, KEY]) {
        const headers = sign(body, { secret, scheme, id: MSG_ID });
        const payload = typeof body === 'string' ? body : Buffer.from(body);
        expect(new Webhook(SECRET).verify(payload, headers)).toEqual(JSON.parse(payload.toString()));
        expect(new Webhook(KEY).verify(payload, headers)).toEqual(JSON.parse(payload.toString()));
      }
    }
  });

  it('sign() with two secrets: it verifies with either one', () => {
    const headers = sign(EVENT_PAYLOAD, { secret: [OTHER_SECRET, SECRET], scheme, id: MSG_ID });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of [SECRET, OTHER_SECRET]) expect(new Webhook(secret).verify(EVENT_PAYLOAD, headers)).toEqual(JSON.parse(EVENT_PAYLOAD));
  });

  it('createSignedDelivery(): the Standard Webhooks payload of a catalog event, id in webhook-id', () => {
    const event = createTestEvent('fine_tune.completed');
    const delivery = createSignedDelivery(event, { secret: SECRET, scheme });
    expect(delivery.headers['webhook-id']).toBe(event.id);
    const { type, created, data } = event;
    expect(new Webhook(SECRET).verify(delivery.body, delivery.headers)).toEqual({ type, timestamp: created, data });
    // And back: the event we hand over is the one we signed.
    expect(verifySync(delivery, { secret: SECRET, scheme })).toEqual(event);
  });
});

// Each difference below is a place where the library accepts what a receiver must not, or cannot
// take what a receiver is given; ours follows the specifications (spec sections 3, 5 and 11).
describe('where the two differ, on purpose', () => {
  it('timestamp: ours must be digits and is hashed as received; theirs is parseInt, re-serialised before the HMAC', async () => {
    // The library authenticates the number parseInt reads, not the header that arrived: junk
    // after the digits, a sign, a space or leading zeros can be added without breaking the
    // signature, and a sender that signs its header exactly ("0…") is refused. Ours hashes the
    // header's bytes and requires Unix seconds as digits, so what was judged is what was signed.
    const T = String(TIMESTAMP);
    const rows: { header: string; signedOver: string; theirs: Decision; ours: WebhookVerificationErrorCode | 'accept' }[] = [
      { header: `${T}abc`, signedOver: T, theirs: 'accept', ours: 'invalid_timestamp' },
      { header: `${T}.5`, signedOver: T, theirs: 'accept', ours: 'invalid_timestamp' },
      { header: ` ${T}`, signedOver: T, theirs: 'accept', ours: 'invalid_timestamp' },
      { header: `+${T}`, signedOver: T, theirs: 'accept', ours: 'invalid_timestamp' },
      { header: `0${T}`, signedOver: T, theirs: 'accept', ours: 'signature_mismatch' },
      { header: `0${T}`, signedOver: `0${T}`, theirs: 'reject', ours: 'accept' },
    ];
    for (const { header, signedOver, theirs, ours } of rows) {
      const headers = { 'webhook-id': MSG_ID, 'webhook-timestamp': header, 'webhook-signature': referenceEntry(EVENT_PAYLOAD, { timestamp: signedOver }) };
      expect(theirDecision(KEY, EVENT_PAYLOAD, headers).decision, header).toBe(theirs);
      const outcome = await ourOutcome(KEY, EVENT_PAYLOAD, headers);
      expect(outcome.code ?? outcome.decision, header).toBe(ours);
    }
  });

  it('invalid UTF-8: ours verifies the exact bytes; theirs decodes a Buffer to text (U+FFFD) and hashes that', async () => {
    // The signature covers the raw body. The library's decoding turns every invalid sequence into
    // U+FFFD, so a sender that signs its bytes is refused, and one signature verifies several
    // different bodies (here 0xFF and 0xFE in the same place).
    const withByte = (byte: number) =>
      Buffer.concat([Buffer.from('{"type":"resource.created","timestamp":"t","data":{"raw":"a'), Buffer.from([byte]), Buffer.from('z"}}')]);
    const [bodyFF, bodyFE] = [withByte(0xff), withByte(0xfe)];
    const overBytes = signedHeaders(bodyFF);
    expect(theirDecision(KEY, bodyFF, overBytes).decision).toBe('reject');
    expect((await ourOutcome(KEY, bodyFF, overBytes)).decision).toBe('accept');
    const overText = { ...overBytes, 'webhook-signature': referenceEntry(bodyFF.toString('utf8')) };
    expect(bodyFF.toString('utf8')).toBe(bodyFE.toString('utf8'));
    for (const body of [bodyFF, bodyFE]) {
      expect(theirDecision(KEY, body, overText).decision).toBe('accept');
      expect((await ourOutcome(KEY, body, overText)).code).toBe('signature_mismatch');
    }
  });

  it('more than 8 entries: ours considers at most 8, theirs every one', async () => {
    // Spec section 5 bounds the work one request can cause, in every scheme; a sender sends one
    // entry per secret it holds, one or two during a rotation.
    const headers = signedHeaders(EVENT_PAYLOAD);
    const fakes = Array.from({ length: 8 }, (_, i) => `v1,${Buffer.alloc(32, i).toString('base64')}`);
    const ninth = { ...headers, 'webhook-signature': [...fakes, headers['webhook-signature']].join(' ') };
    expect(theirDecision(KEY, EVENT_PAYLOAD, ninth).decision).toBe('accept');
    expect((await ourOutcome(KEY, EVENT_PAYLOAD, ninth)).code).toBe('signature_mismatch');
  });

  it('an entry with a stray token after its signature (v1,<valid>,x): both accept', async () => {
    // Ours finds entries by their version markers, so that a header given twice (joined with `,`)
    // verifies whatever its shape: a token after a signature is skipped, as theirs skips it.
    const headers = signedHeaders(EVENT_PAYLOAD);
    const trailing = { ...headers, 'webhook-signature': `${headers['webhook-signature']},x` };
    expect(theirDecision(KEY, EVENT_PAYLOAD, trailing).decision).toBe('accept');
    expect((await ourOutcome(KEY, EVENT_PAYLOAD, trailing)).decision).toBe('accept');
  });

  it('forged and stale: both reject, theirs for the age (checked first), ours for the signature', async () => {
    // Spec section 5: the signature is decided before the age, so an unauthenticated caller
    // learns nothing, and timestamp_too_old always means an authentic delivery.
    const signedAt = TIMESTAMP - 3600;
    const stale = { ...signedHeaders(EVENT_PAYLOAD, signedAt), 'webhook-signature': referenceEntry(EVENT_PAYLOAD, { key: OTHER_SECRET, timestamp: String(signedAt) }) };
    expect(theirDecision(KEY, EVENT_PAYLOAD, stale)).toEqual({ decision: 'reject', message: 'Message timestamp too old' });
    expect((await ourOutcome(KEY, EVENT_PAYLOAD, stale)).code).toBe('signature_mismatch');
  });

  it('bytes that are not a Buffer (what a Fetch body gives): theirs throws a plain Error, ours verifies', async () => {
    // Edge runtimes, workers and browsers hand over a Uint8Array or an ArrayBuffer, never a Buffer.
    const bytes = new TextEncoder().encode(EVENT_PAYLOAD);
    const headers = signedHeaders(bytes);
    const theirs = () => new Webhook(KEY).verify(bytes as unknown as Buffer, headers);
    expect(theirs).toThrow(/Expected payload to be of type string or Buffer/);
    expect(theirs).not.toThrow(TheirVerificationError);
    expect((await ourOutcome(KEY, bytes, headers)).event?.id).toBe(MSG_ID);
    expect(verifySync({ body: bytes.buffer, headers }, { secret: KEY, scheme }).id).toBe(MSG_ID);
  });

  it('secrets: base64 of an impossible length is a TypeError in ours, a shorter key in theirs; unpadded base64 is a key in ours', () => {
    // Five characters of base64 cannot be a whole number of bytes: a truncated copy and paste,
    // which ours refuses when the receiver is made, instead of using a different key.
    expect(() => new Webhook('whsec_abcde')).not.toThrow();
    expect(() => sign('{}', { secret: 'whsec_abcde', scheme, id: MSG_ID })).toThrow(TypeError);
    // Unpadded base64 names its bytes unambiguously; their decoder wants the padding here.
    expect(() => new Webhook('abc')).toThrow(/padding/);
    expect(sign('{}', { secret: 'abc', scheme, id: MSG_ID, timestamp: TIMESTAMP })['webhook-signature']).toBe(referenceEntry('{}', { key: 'abc=' }));
  });
});
