/**
 * The Standard Webhooks scheme (spec section 11) through the public API: its headers and secrets,
 * its one extra code, the event it hands over, and the same bounds and order of checks as the
 * default scheme. Runs in every core project (node, portable, edge).
 */
import { describe, expect, it } from 'vitest';
import {
  createWebhooks,
  memoryStore,
  sign,
  standardWebhooksScheme,
  togetherScheme,
  verify,
  verifySync,
  type RawDelivery,
  type WebhookVerificationErrorCode,
} from '@x/together-webhooks-core';
import { createSignedDelivery, createTestEvent } from '@x/together-webhooks-core/testing';
import { caught, caughtAsync, clockAt, expectCode, TIMESTAMP, utf8 } from './helpers.js';

const scheme = standardWebhooksScheme();
// The key of the official library's own tests: base64 of 24 bytes.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const options = { secret: SECRET, scheme, now: clockAt() };

const payload = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'batch.completed', timestamp: '2025-01-15T10:30:00Z', data: { id: 'batch_1', status: 'COMPLETED' }, ...fields });

function signedDelivery(body = payload(), extra: { secret?: string | string[]; id?: string; timestamp?: number } = {}): { body: string; headers: Record<string, string> } {
  return { body, headers: sign(body, { secret: extra.secret ?? SECRET, scheme, id: extra.id ?? ID, timestamp: extra.timestamp ?? TIMESTAMP }) };
}

describe('sign() with standardWebhooksScheme()', () => {
  it('matches the official library’s known answer', () => {
    const headers = sign('{"test": 2432232314}', { secret: SECRET, scheme, id: ID, timestamp: 1614265330 });
    expect(headers).toEqual({
      'webhook-id': ID,
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('keys a bare base64 secret like the whsec_ one', () => {
    const bare = sign('{}', { secret: SECRET.slice('whsec_'.length), scheme, id: ID, timestamp: TIMESTAMP });
    expect(bare).toEqual(sign('{}', { secret: SECRET, scheme, id: ID, timestamp: TIMESTAMP }));
  });

  it('signs with every secret of a rotation, one space-separated entry each', () => {
    const { 'webhook-signature': both } = sign('{}', { secret: [SECRET, OTHER], scheme, id: ID, timestamp: TIMESTAMP });
    const entries = both.split(' ');
    expect(entries).toHaveLength(2);
    for (const entry of entries) expect(entry).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    for (const secret of [SECRET, OTHER]) {
      expect(verifySync({ body: payload(), headers: sign(payload(), { secret: [SECRET, OTHER], scheme, id: ID, timestamp: TIMESTAMP }) }, { ...options, secret }).id).toBe(ID);
    }
  });

  it('needs an id, which the webhook-id header carries', () => {
    expect(() => sign('{}', { secret: SECRET, scheme })).toThrow(/id is required/);
  });

  it.each([
    ['not base64', 'whsec_not*base64!'],
    ['an impossible length', 'whsec_abcde'],
    ['empty after the prefix', 'whsec_'],
  ])('refuses a secret that is %s with a TypeError, at construction', (_case, secret) => {
    expect(() => sign('{}', { secret, scheme, id: ID })).toThrow(TypeError);
    expect(() => createWebhooks({ secret, scheme })).toThrow(/not a Standard Webhooks secret/);
    expect(() => verifySync(signedDelivery(), { ...options, secret })).toThrow(TypeError);
  });
});

describe('verify() with standardWebhooksScheme()', () => {
  it('hands over the event with the webhook-id as its id and the payload timestamp as created', () => {
    const event = verifySync(signedDelivery(payload({ extra: [1, 2] })), options);
    expect(event).toEqual({
      id: ID,
      type: 'batch.completed',
      created: '2025-01-15T10:30:00Z',
      data: { id: 'batch_1', status: 'COMPLETED' },
      extra: [1, 2],
    });
  });

  it('takes the id from the header even when the payload carries one of its own', () => {
    expect(verifySync(signedDelivery(payload({ id: 'evt_in_body' })), options).id).toBe(ID);
  });

  it('accepts a signature among entries of other versions, which are skipped', async () => {
    const delivery = signedDelivery();
    const mixed = `v1a,${'A'.repeat(86)}== v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= ${delivery.headers['webhook-signature']}`;
    const headers = { ...delivery.headers, 'webhook-signature': mixed };
    expect(verifySync({ body: delivery.body, headers }, options).id).toBe(ID);
    expect((await verify({ body: delivery.body, headers }, options)).id).toBe(ID);
  });

  it('accepts a webhook-signature header given twice, whatever the shape and the order', async () => {
    const delivery = signedDelivery();
    const valid = delivery.headers['webhook-signature']!;
    const wrong = 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=';
    const rest = Object.entries(delivery.headers).filter(([name]) => name !== 'webhook-signature');
    for (const [first, second] of [
      [wrong, valid],
      [valid, wrong],
    ]) {
      const shapes = [
        { ...Object.fromEntries(rest), 'webhook-signature': [first!, second!] },
        [...rest, ['webhook-signature', first!], ['webhook-signature', second!]] as [string, string][],
        new Headers([...rest, ['webhook-signature', first!], ['webhook-signature', second!]]),
      ];
      for (const headers of shapes) {
        expect(verifySync({ body: delivery.body, headers }, options).id).toBe(ID);
        expect((await verify({ body: delivery.body, headers }, options)).id).toBe(ID);
      }
    }
  });

  it('accepts a secret with a stray padding character, and refuses one that is not base64 with a TypeError', () => {
    expect(verifySync(signedDelivery(), { ...options, secret: `${SECRET}=` }).id).toBe(ID);
    expect(() => verifySync(signedDelivery(), { ...options, secret: 'whsec_ab-_' })).toThrow(TypeError);
  });

  it('reads the headers case-insensitively, from Headers and from pairs', async () => {
    const delivery = signedDelivery();
    const upper = Object.fromEntries(Object.entries(delivery.headers).map(([name, value]) => [name.toUpperCase(), value]));
    expect(verifySync({ body: delivery.body, headers: upper }, options).id).toBe(ID);
    expect(verifySync({ body: delivery.body, headers: new Headers(delivery.headers) }, options).id).toBe(ID);
    expect(verifySync({ body: delivery.body, headers: Object.entries(delivery.headers) }, options).id).toBe(ID);
    const request = new Request('http://127.0.0.1/webhooks', { method: 'POST', body: delivery.body, headers: delivery.headers });
    expect((await verify(request, options)).id).toBe(ID);
  });

  const delivery = signedDelivery();
  const without = (name: string) => Object.fromEntries(Object.entries(delivery.headers).filter(([key]) => key !== name));
  const rejections: [string, WebhookVerificationErrorCode, RawDelivery, RegExp?][] = [
    ['no webhook-signature', 'missing_signature', { body: delivery.body, headers: without('webhook-signature') }, /webhook-signature/],
    ['no webhook-id', 'missing_id', { body: delivery.body, headers: without('webhook-id') }, /webhook-id/],
    ['no webhook-timestamp', 'missing_timestamp', { body: delivery.body, headers: without('webhook-timestamp') }, /webhook-timestamp/],
    ['a timestamp that is not digits', 'invalid_timestamp', { body: delivery.body, headers: { ...delivery.headers, 'webhook-timestamp': 'hello' } }],
    ['the wrong secret', 'signature_mismatch', signedDelivery(payload(), { secret: OTHER })],
    ['another id than the one signed', 'signature_mismatch', { body: delivery.body, headers: { ...delivery.headers, 'webhook-id': 'msg_other' } }],
    ['a changed body', 'signature_mismatch', { body: `${delivery.body} `, headers: delivery.headers }],
    ['a partial signature', 'signature_mismatch', { body: delivery.body, headers: { ...delivery.headers, 'webhook-signature': delivery.headers['webhook-signature']!.slice(0, 8) } }],
    ['an empty v1 entry', 'signature_mismatch', { body: delivery.body, headers: { ...delivery.headers, 'webhook-signature': 'v1,' } }],
    ['only v1a entries', 'signature_mismatch', { body: delivery.body, headers: { ...delivery.headers, 'webhook-signature': delivery.headers['webhook-signature']!.replace('v1,', 'v1a,') } }],
    ['hex instead of base64', 'signature_mismatch', { body: delivery.body, headers: { ...delivery.headers, 'webhook-signature': `v1,${'ab'.repeat(32)}` } }],
    [
      'the valid entry as the ninth',
      'signature_mismatch',
      { body: delivery.body, headers: { ...delivery.headers, 'webhook-signature': `${'v1,AAAA '.repeat(8)}${delivery.headers['webhook-signature']}` } },
    ],
    ['a stale delivery', 'timestamp_too_old', signedDelivery(payload(), { timestamp: TIMESTAMP - 301 })],
    ['a delivery from the future', 'timestamp_in_future', signedDelivery(payload(), { timestamp: TIMESTAMP + 301 })],
    ['an authentic body without a type', 'invalid_payload', signedDelivery(JSON.stringify({ timestamp: 'x', data: {} }))],
    ['an authentic body whose data is not an object', 'invalid_payload', signedDelivery(payload({ data: [1] }))],
    ['an authentic body that is not JSON', 'invalid_payload', signedDelivery('not json')],
  ];

  it.each(rejections)('rejects %s as %s', async (_case, code, input, message) => {
    const error = expectCode(caught(() => verifySync(input, options)), code);
    if (message) expect(error.message).toMatch(message);
    expectCode(await caughtAsync(() => verify(input, options)), code);
  });

  it('answers missing_id with 401', () => {
    expect(expectCode(caught(() => verifySync(rejections[1]![2], options)), 'missing_id').status).toBe(401);
  });

  it('checks the signature before the age, so timestamp_too_old means authentic', () => {
    const forgedAndStale = signedDelivery(payload(), { secret: OTHER, timestamp: TIMESTAMP - 3600 });
    expectCode(caught(() => verifySync(forgedAndStale, options)), 'signature_mismatch');
  });

  it('signs non-ASCII ids over their UTF-8 bytes, in every build alike', () => {
    const id = 'msg_ünïcødé_🚀';
    expect(verifySync(signedDelivery(payload(), { id }), options).id).toBe(id);
  });

  it('is not the default scheme: each scheme rejects the other’s deliveries', () => {
    expectCode(caught(() => verifySync(signedDelivery(), { secret: SECRET, now: clockAt() })), 'missing_signature');
    const together = { body: payload(), headers: sign(payload(), { secret: SECRET, timestamp: TIMESTAMP }) };
    expectCode(caught(() => verifySync(together, options)), 'missing_signature');
    expect(togetherScheme().name).toBe('together');
    expect(scheme.name).toBe('standard-webhooks');
    expect(scheme.headerNames).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
  });

  it('refuses something that is not a scheme with a TypeError', () => {
    expect(() => verifySync(signedDelivery(), { ...options, scheme: {} as never })).toThrow(TypeError);
    expect(() => createWebhooks({ secret: SECRET, scheme: { name: 'mine' } as never })).toThrow(TypeError);
  });
});

describe('createWebhooks() and the test kit with standardWebhooksScheme()', () => {
  it('processes a delivery once per webhook-id, however often it is sent', async () => {
    const webhooks = createWebhooks({ secret: SECRET, scheme, store: memoryStore() });
    const seen: string[] = [];
    webhooks.on('batch.completed', (event) => void seen.push(event.id));
    const event = createTestEvent('batch.completed');
    const delivery = createSignedDelivery(event, { secret: SECRET, scheme });
    expect(Object.keys(delivery.headers).sort()).toEqual(['content-type', 'webhook-id', 'webhook-signature', 'webhook-timestamp']);
    expect(delivery.headers['webhook-id']).toBe(event.id);
    // The body is the Standard Webhooks payload: no id, the creation time as its timestamp.
    expect(JSON.parse(delivery.body)).toEqual({ type: event.type, timestamp: event.created, data: event.data });
    const first = await webhooks.handle(delivery);
    const again = await webhooks.handle(delivery);
    expect(first).toMatchObject({ status: 200, outcome: 'processed', body: { id: event.id } });
    expect(again.outcome).toBe('duplicate');
    expect(first.event).toEqual(event);
    expect(seen).toEqual([event.id]);
  });

  it('needs an id for a string body, and signs bytes kept exactly', async () => {
    expect(() => createSignedDelivery('{"type":"batch.completed","data":{}}', { secret: SECRET, scheme })).toThrow(/id is required/);
    const bytes = utf8(payload());
    const delivery = createSignedDelivery(bytes, { secret: SECRET, scheme, id: 'msg_bytes' });
    expect(delivery.body).toBe(bytes);
    expect((await verify(delivery, { secret: SECRET, scheme })).id).toBe('msg_bytes');
  });
});
