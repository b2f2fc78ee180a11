import { describe, expect, it } from 'vitest';
import {
  sign,
  standardWebhooksScheme,
  verificationErrorStatus,
  verify,
  verifySync,
  WebhookVerificationError,
  type RawDelivery,
  type VerifyOptions,
  type WebhookVerificationErrorCode,
} from '@x/together-webhooks-core';
import {
  caught,
  caughtAsync,
  clockAt,
  eventBody,
  expectCode,
  OTHER_SECRET,
  SECRET,
  signed,
  TIMESTAMP,
  utf8,
} from './helpers.js';

const options = { secret: SECRET, now: clockAt() };
const SIG = 'x-together-signature';
const TS = 'x-together-timestamp';

function verifyHeaders(headers: Record<string, string | string[] | undefined>, body: string | Uint8Array = eventBody()) {
  return caught(() => verifySync({ body, headers }, options));
}

describe('the error table of spec section 5', () => {
  const delivery = signed();
  const stale = signed(eventBody(), { timestamp: TIMESTAMP - 301 });
  const early = signed(eventBody(), { timestamp: TIMESTAMP + 301 });
  const notJson = signed('not json');
  const big = signed('x'.repeat(1024 * 1024 + 1));

  // The one code only Standard Webhooks has: a delivery without webhook-id.
  const standard = { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', scheme: standardWebhooksScheme(), now: clockAt() };
  const withoutId = Object.fromEntries(
    Object.entries(sign(eventBody(), { ...standard, id: 'msg_1', timestamp: TIMESTAMP })).filter(([name]) => name !== 'webhook-id'),
  );
  const rows: [WebhookVerificationErrorCode, number, RawDelivery, VerifyOptions?][] = [
    ['missing_signature', 401, { body: delivery.body, headers: { [TS]: String(TIMESTAMP) } }],
    ['missing_timestamp', 401, { body: delivery.body, headers: { [SIG]: delivery.signature } }],
    ['invalid_timestamp', 401, { body: delivery.body, headers: { ...delivery.headers, [TS]: 'soon' } }],
    ['signature_mismatch', 401, { body: `${eventBody()} `, headers: delivery.headers }],
    ['timestamp_too_old', 401, stale],
    ['timestamp_in_future', 401, early],
    ['payload_too_large', 413, big],
    ['invalid_payload', 400, notJson],
    ['missing_id', 401, { body: eventBody(), headers: withoutId }, standard],
  ];

  it.each(rows)('%s answers %i from verifySync', (code, status, input, rowOptions = options) => {
    const error = expectCode(caught(() => verifySync(input, rowOptions)), code);
    expect(error.status).toBe(status);
    expect(verificationErrorStatus[code]).toBe(status);
  });

  it.each(rows)('%s answers %i from verify', async (code, status, input, rowOptions = options) => {
    expect(expectCode(await caughtAsync(() => verify(input, rowOptions)), code).status).toBe(status);
  });

  it('covers every code the status table knows', () => {
    expect(rows.map(([code]) => code).sort()).toEqual(Object.keys(verificationErrorStatus).sort());
  });
});

describe('WebhookVerificationError', () => {
  it('is an Error with a name, a code and a status', () => {
    const error = verifyHeaders({});
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error).toBeInstanceOf(Error);
    const { name, code, status, message } = error as WebhookVerificationError;
    expect({ name, code, status }).toEqual({ name: 'WebhookVerificationError', code: 'missing_signature', status: 401 });
    expect(message).toMatch(/x-together-signature/);
    expect(String(error)).toMatch(/^WebhookVerificationError: /);
  });

  it.each(Object.entries(verificationErrorStatus))('derives status %s -> %i as the exported table says', (code, status) => {
    expect(new WebhookVerificationError(code as WebhookVerificationErrorCode).status).toBe(status);
  });

  it('can be constructed by callers (their own checks) with the standard status', () => {
    const error = new WebhookVerificationError('invalid_payload');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/JSON/);
    expect(new WebhookVerificationError('payload_too_large', 'custom').message).toBe('custom');
    // The one code without a standard message (its scheme passes its own) is named by its code.
    expect(new WebhookVerificationError('missing_id').message).toBe('missing_id');
  });

  it('is not what verifySync throws for a Request: a TypeError names verify()', () => {
    const body = eventBody();
    const request = new Request('http://127.0.0.1/webhooks', { method: 'POST', body, headers: signed(body).headers });
    expect(() => verifySync(request as unknown as RawDelivery, options)).toThrow(new TypeError('verifySync() cannot read a Request: use verify()'));
  });
});

// `hex` from `from` on, each digit written as the character U+FF00 + its code (U+FF30-FF39 for
// 0-9, U+FF61-FF66 for a-f): the same low bytes, and none of them a hex digit.
function spelledInLowBytes(hex: string, from = 0): string {
  return hex.slice(0, from) + hex.slice(from).replace(/./g, (digit) => String.fromCharCode(0xff00 | digit.charCodeAt(0)));
}

describe('the signature header', () => {
  const delivery = signed();
  const other = sign(eventBody(), { secret: OTHER_SECRET, timestamp: TIMESTAMP })[SIG];
  const withSignature = (value: string | string[]) => ({ ...delivery.headers, [SIG]: value });

  it.each([
    ['too short', delivery.signature.slice(0, 63)],
    ['too long', `${delivery.signature}0`],
    ['half length', delivery.signature.slice(0, 32)],
    ['non-hex characters', `${delivery.signature.slice(0, 62)}zz`],
    ['non-hex of the right length', 'g'.repeat(64)],
    ['a prefix like v1=', `v1=${delivery.signature}`],
    ['sha256= prefixed', `sha256=${delivery.signature}`],
    ['non-ASCII characters', `${delivery.signature.slice(0, 63)}é`],
    // Node's (and Bun's, Deno's) hex decoder reads only each character's low byte, so these would
    // decode to the right digest. Only hex digits spell a signature.
    ['the right digest in characters whose low bytes are its digits', spelledInLowBytes(delivery.signature)],
    ['the right digest with only its last digit so written', spelledInLowBytes(delivery.signature, 63)],
  ])('%s is a mismatch, not an exception', (_case, value) => {
    expectCode(verifyHeaders(withSignature(value)), 'signature_mismatch');
  });

  it('accepts uppercase hex', () => {
    expect(verifySync({ body: delivery.body, headers: withSignature(delivery.signature.toUpperCase()) }, options).id).toBe(
      'evt_01JH7Q8M2K',
    );
  });

  it.each([
    ['comma', `${other},${delivery.signature}`],
    ['comma and space', `${other}, ${delivery.signature}`],
    ['space', `${other} ${delivery.signature}`],
    ['several spaces and a tab', `${other}  \t${delivery.signature}`],
    ['leading and trailing separators', `, ${delivery.signature} ,`],
    ['malformed entries beside the valid one', `nope,${'0'.repeat(64)},${delivery.signature}`],
  ])('finds the valid signature in a %s separated list', (_case, value) => {
    expect(verifySync({ body: delivery.body, headers: withSignature(value) }, options).id).toBe('evt_01JH7Q8M2K');
  });

  it('accepts 8 signatures with the valid one last', () => {
    const value = [...Array.from({ length: 7 }, (_, i) => i.toString(16).repeat(64)), delivery.signature].join(',');
    expect(verifySync({ body: delivery.body, headers: withSignature(value) }, options).id).toBe('evt_01JH7Q8M2K');
  });

  it('rejects 9 signatures, even with a valid one among them (bounded work)', () => {
    const decoys = Array.from({ length: 8 }, (_, i) => i.toString(16).repeat(64));
    expectCode(verifyHeaders(withSignature([...decoys, delivery.signature].join(','))), 'signature_mismatch');
    expectCode(verifyHeaders(withSignature([delivery.signature, ...decoys].join(' '))), 'signature_mismatch');
  });

  it('rejects 1000 signatures quickly, as a mismatch', () => {
    const value = [...Array.from({ length: 999 }, () => 'ab'.repeat(32)), delivery.signature].join(',');
    const started = performance.now();
    expectCode(verifyHeaders(withSignature(value)), 'signature_mismatch');
    // A generous bound: checking 1000 HMACs under every secret would be the unbounded case.
    expect(performance.now() - started).toBeLessThan(250);
  });

  it('treats an empty or blank header as missing', () => {
    expectCode(verifyHeaders(withSignature('')), 'missing_signature');
    expectCode(verifyHeaders(withSignature('  ')), 'missing_signature');
    expectCode(verifyHeaders({ ...delivery.headers, [SIG]: undefined }), 'missing_signature');
  });

  it('is checked against the raw body, so changing one byte is a mismatch', () => {
    const body = utf8(eventBody());
    const headers = sign(body, { secret: SECRET, timestamp: TIMESTAMP });
    body[10]! ^= 1;
    expectCode(caught(() => verifySync({ body, headers }, options)), 'signature_mismatch');
  });
});

describe('the timestamp header', () => {
  const delivery = signed();

  it.each(['12abc', '1e9', ' 123', '123 ', '-5', '+5', '1.5', '0x10', '1'.repeat(40), '١٢٣', 'NaN', 'Infinity', '1_000'])(
    '%j is invalid_timestamp',
    (value) => {
      expectCode(verifyHeaders({ ...delivery.headers, [TS]: value }), 'invalid_timestamp');
    },
  );

  it('is missing when empty', () => {
    expectCode(verifyHeaders({ ...delivery.headers, [TS]: '' }), 'missing_timestamp');
  });

  it('given twice is invalid (the values are joined with a comma)', () => {
    expectCode(verifyHeaders({ ...delivery.headers, [TS]: [String(TIMESTAMP), String(TIMESTAMP)] }), 'invalid_timestamp');
  });

  it('with leading zeros is the same number, but it is signed as sent', () => {
    const padded = `00${TIMESTAMP}`;
    const headers = { [SIG]: sign(eventBody(), { secret: SECRET, timestamp: TIMESTAMP })[SIG], [TS]: padded };
    expectCode(verifyHeaders(headers), 'signature_mismatch');
  });
});

describe('the replay window', () => {
  const delivery = signed();
  const at = (offsetSeconds: number, toleranceSeconds?: number) => () =>
    verifySync(delivery, { secret: SECRET, now: clockAt(offsetSeconds), ...(toleranceSeconds === undefined ? {} : { toleranceSeconds }) });

  it.each([
    [300, undefined],
    [-300, undefined],
    [0, undefined],
    [10, 10],
    [-10, 10],
    [0, 0],
  ])('accepts a clock %is away with tolerance %s (the boundary is inside)', (offset, tolerance) => {
    expect(at(offset, tolerance)().id).toBe('evt_01JH7Q8M2K');
  });

  it('accepts the last millisecond of the boundary second', () => {
    expect(verifySync(delivery, { secret: SECRET, now: () => (TIMESTAMP + 300) * 1000 + 999 }).id).toBe('evt_01JH7Q8M2K');
  });

  it.each([
    [301, undefined, 'timestamp_too_old'],
    [-301, undefined, 'timestamp_in_future'],
    [11, 10, 'timestamp_too_old'],
    [-11, 10, 'timestamp_in_future'],
    [1, 0, 'timestamp_too_old'],
    [-1, 0, 'timestamp_in_future'],
    [1e9, undefined, 'timestamp_too_old'],
  ] as const)('rejects a clock %is away with tolerance %s as %s', (offset, tolerance, code) => {
    expectCode(caught(at(offset, tolerance)), code);
  });

  it('uses Date.now by default', () => {
    const now = sign(eventBody(), { secret: SECRET });
    expect(verifySync({ body: eventBody(), headers: now }, { secret: SECRET }).id).toBe('evt_01JH7Q8M2K');
    expectCode(caught(() => verifySync(delivery, { secret: SECRET })), 'timestamp_too_old');
  });

  it('judges age only after the signature: a forged stale delivery is a mismatch', () => {
    const stale = signed(eventBody(), { timestamp: TIMESTAMP - 3600 });
    expectCode(caught(() => verifySync(stale, options)), 'timestamp_too_old');
    const forged = { body: stale.body, headers: { ...stale.headers, [SIG]: 'ab'.repeat(32) } };
    expectCode(caught(() => verifySync(forged, options)), 'signature_mismatch');
    const forgedFuture = { body: stale.body, headers: { [SIG]: 'ab'.repeat(32), [TS]: String(TIMESTAMP + 3600) } };
    expectCode(caught(() => verifySync(forgedFuture, options)), 'signature_mismatch');
  });

  it('checks the signature before the payload: a forged non-JSON body is a mismatch', () => {
    expectCode(caught(() => verifySync({ body: 'not json', headers: signed().headers }, options)), 'signature_mismatch');
    expectCode(caught(() => verifySync({ body: '', headers: signed().headers }, options)), 'signature_mismatch');
  });
});

describe('the event envelope', () => {
  const accept = (body: string) => verifySync(signed(body), options);
  const reject = (body: string) => expectCode(caught(() => accept(body)), 'invalid_payload');

  it.each([
    ['not JSON', 'not json'],
    ['truncated JSON', eventBody().slice(0, -1)],
    ['an array', JSON.stringify([JSON.parse(eventBody())])],
    ['a string', JSON.stringify(eventBody())],
    ['null', 'null'],
    ['a number', '42'],
    ['missing id', JSON.stringify({ type: 'batch.completed', created: 'x', data: {} })],
    ['empty id', eventBody({ id: '' })],
    ['numeric id', eventBody({ id: 7 })],
    ['missing type', JSON.stringify({ id: 'evt_1', created: 'x', data: {} })],
    ['empty type', eventBody({ type: '' })],
    ['type not a string', eventBody({ type: ['batch.completed'] })],
    ['missing data', JSON.stringify({ id: 'evt_1', type: 'batch.completed', created: 'x' })],
    ['data an array', eventBody({ data: [] })],
    ['data null', eventBody({ data: null })],
    ['data a string', eventBody({ data: 'done' })],
    ['data a number', eventBody({ data: 1 })],
  ])('rejects %s as invalid_payload (status 400)', (_case, body) => {
    expect(reject(body).status).toBe(400);
  });

  it('keeps extra fields and passes created through as sent', () => {
    const event = accept(eventBody({ created: 'not even a date', api_version: '2025-01-01', nested: { a: [1, 2] } }));
    expect(event).toMatchObject({ created: 'not even a date', api_version: '2025-01-01', nested: { a: [1, 2] } });
  });

  it('accepts a missing created (only id, type and data are required)', () => {
    const event = accept(JSON.stringify({ id: 'evt_1', type: 'batch.completed', data: {} }));
    expect(event.id).toBe('evt_1');
    expect('created' in event).toBe(false);
  });

  it('delivers an event type newer than the catalog, unchanged', () => {
    const event = accept(eventBody({ type: 'model.deployed', data: { id: 'm_1', fresh: true } }));
    expect(event.type).toBe('model.deployed');
    expect(event.data).toEqual({ id: 'm_1', fresh: true });
  });

  it('returns the data exactly as sent', () => {
    const data = { id: 'batch_1', status: 'COMPLETED', progress: 100, output_file_id: 'file_9', unknown_field: { deep: [null] } };
    const event = accept(eventBody({ type: 'batch.completed', data }));
    expect(event.data).toEqual(data);
  });

  it('parses a body with a byte order mark only as JSON allows (it does not)', () => {
    reject(`\uFEFF${eventBody()}`);
  });
});

describe('several secrets (rotation on the receiving side)', () => {
  it('accepts a delivery signed with any configured secret', () => {
    for (const secret of [SECRET, OTHER_SECRET]) {
      const delivery = signed(eventBody(), { secret });
      expect(verifySync(delivery, { secret: [SECRET, OTHER_SECRET], now: clockAt() }).id).toBe('evt_01JH7Q8M2K');
      expect(verifySync(delivery, { secret: [OTHER_SECRET, SECRET], now: clockAt() }).id).toBe('evt_01JH7Q8M2K');
    }
  });

  it('keeps many secrets apart, in any order, again and again (no keyed state shared between them)', () => {
    const secrets = Array.from({ length: 40 }, (_, i) => `whsec_tenant_${i}`);
    const deliveries = secrets.map((secret) => signed(eventBody({ id: `evt_${secret}` }), { secret }));
    for (const round of [0, 1]) {
      for (let i = 0; i < secrets.length; i++) {
        const k = round === 0 ? i : secrets.length - 1 - i;
        expect(verifySync(deliveries[k]!, { secret: secrets[k]!, now: clockAt() }).id).toBe(`evt_${secrets[k]!}`);
        const wrong = secrets[(k + 1) % secrets.length]!;
        expectCode(caught(() => verifySync(deliveries[k]!, { secret: wrong, now: clockAt() })), 'signature_mismatch');
      }
    }
  });

  it('rejects a delivery signed with none of them', () => {
    const delivery = signed(eventBody(), { secret: 'whsec_retired' });
    expectCode(caught(() => verifySync(delivery, { secret: [SECRET, OTHER_SECRET], now: clockAt() })), 'signature_mismatch');
  });

  it('matches any signature against any secret (sender and receiver both rotating)', () => {
    const body = eventBody();
    const fromNew = sign(body, { secret: 'whsec_new', timestamp: TIMESTAMP })[SIG];
    const fromOld = sign(body, { secret: 'whsec_old', timestamp: TIMESTAMP })[SIG];
    const headers = { [SIG]: `${fromNew} ${fromOld}`, [TS]: String(TIMESTAMP) };
    expect(verifySync({ body, headers }, { secret: ['whsec_old'], now: clockAt() }).id).toBe('evt_01JH7Q8M2K');
    expect(verifySync({ body, headers }, { secret: ['whsec_unrelated', 'whsec_new'], now: clockAt() }).id).toBe(
      'evt_01JH7Q8M2K',
    );
  });
});

describe('sign()', () => {
  it('returns both headers, the signature as 64 lowercase hex digits', () => {
    const headers = sign('{}', { secret: SECRET, timestamp: 1 });
    expect(Object.keys(headers).sort()).toEqual([SIG, TS]);
    expect(headers[SIG]).toMatch(/^[0-9a-f]{64}$/);
    expect(headers[TS]).toBe('1');
  });

  it('signs text and its UTF-8 bytes alike', () => {
    const text = eventBody({ data: { note: 'Grüße 🚀' } });
    expect(sign(text, { secret: SECRET, timestamp: TIMESTAMP })).toEqual(sign(utf8(text), { secret: SECRET, timestamp: TIMESTAMP }));
  });

  it('uses the current time by default', () => {
    const before = Math.floor(Date.now() / 1000);
    const timestamp = Number(sign('{}', { secret: SECRET })[TS]);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, '1736937000', 2 ** 60])('refuses the timestamp %s', (timestamp) => {
    expect(() => sign('{}', { secret: SECRET, timestamp: timestamp as number })).toThrow(TypeError);
  });

  it('refuses a negative timestamp, and one of more digits than verify() reads', () => {
    expect(() => sign('{}', { secret: SECRET, timestamp: -1 })).toThrow(RangeError);
    expect(() => sign('{}', { secret: SECRET, timestamp: 1_000_000_000_000_000 })).toThrow(RangeError);
    const body = '{"id":"e","type":"t","created":"","data":{}}';
    const headers = sign(body, { secret: SECRET, timestamp: 999_999_999_999_999 });
    expect(() => verifySync({ body, headers }, { secret: SECRET, now: () => 999_999_999_999_999_000 }).id).not.toThrow();
  });
});
