import { describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verify, verifySync, type HeadersLike } from '@x/together-webhooks-core';
import { caught, clockAt, eventBody, expectCode, OTHER_SECRET, SECRET, signed, TIMESTAMP } from './helpers.js';

const options = { secret: SECRET, now: clockAt() };
const { body, signature } = signed();
const timestamp = String(TIMESTAMP);
const decoy = 'ab'.repeat(32);

const accepts = (headers: HeadersLike) => verifySync({ body, headers }, options).id;

describe('header names', () => {
  it('exports the wire names', () => {
    expect([SIGNATURE_HEADER, TIMESTAMP_HEADER]).toEqual(['x-together-signature', 'x-together-timestamp']);
  });

  it.each([
    ['lowercase', 'x-together-signature', 'x-together-timestamp'],
    ['canonical case', 'X-Together-Signature', 'X-Together-Timestamp'],
    ['uppercase', 'X-TOGETHER-SIGNATURE', 'X-TOGETHER-TIMESTAMP'],
    ['mixed', 'x-ToGeThEr-sIgNaTuRe', 'X-together-TIMESTAMP'],
  ])('are read in %s from a plain object, pairs, a Map and Headers', (_case, signatureName, timestampName) => {
    const pairs: [string, string][] = [
      [signatureName, signature],
      [timestampName, timestamp],
    ];
    expect(accepts(Object.fromEntries(pairs))).toBe('evt_01JH7Q8M2K');
    expect(accepts(pairs)).toBe('evt_01JH7Q8M2K');
    expect(accepts(new Map(pairs))).toBe('evt_01JH7Q8M2K');
    expect(accepts(new Headers(pairs))).toBe('evt_01JH7Q8M2K');
  });

  it('ignores unrelated headers and look-alike names', () => {
    const headers = {
      'content-type': 'application/json',
      'x-together-signature-v2': decoy,
      'x-together-signatures': decoy,
      'x-together-signature': signature,
      'x-together-timestamp': timestamp,
    };
    expect(accepts(headers)).toBe('evt_01JH7Q8M2K');
    expectCode(caught(() => accepts({ 'x-together-signature-v2': signature, 'x-together-timestamp': timestamp })), 'missing_signature');
  });
});

describe('a header given more than once', () => {
  it('as an array value of a plain object is joined with commas', () => {
    expect(accepts({ 'x-together-signature': [decoy, signature], 'x-together-timestamp': timestamp })).toBe('evt_01JH7Q8M2K');
    expect(accepts({ 'x-together-signature': [signature], 'x-together-timestamp': [timestamp] })).toBe('evt_01JH7Q8M2K');
  });

  it('as repeated pairs is joined with commas', () => {
    const pairs: [string, string][] = [
      ['x-together-signature', decoy],
      ['X-Together-Signature', signature],
      ['x-together-timestamp', timestamp],
    ];
    expect(accepts(pairs)).toBe('evt_01JH7Q8M2K');
  });

  it('as appended Headers values is joined as Fetch joins them', () => {
    const headers = new Headers();
    headers.append('x-together-signature', decoy);
    headers.append('x-together-signature', signature);
    headers.append('x-together-timestamp', timestamp);
    expect(accepts(headers)).toBe('evt_01JH7Q8M2K');
  });

  it('under two spellings in one plain object is joined too', () => {
    expect(accepts({ 'X-TOGETHER-SIGNATURE': decoy, 'X-Together-Signature': signature, 'x-together-timestamp': timestamp })).toBe(
      'evt_01JH7Q8M2K',
    );
  });

  it('as an empty array is missing', () => {
    expectCode(caught(() => accepts({ 'x-together-signature': [], 'x-together-timestamp': timestamp })), 'missing_signature');
  });
});

describe('header shapes from frameworks', () => {
  it('accepts Node IncomingHttpHeaders-like objects with undefined values', () => {
    expect(accepts({ host: '127.0.0.1', 'x-forwarded-for': undefined, 'x-together-signature': signature, 'x-together-timestamp': timestamp })).toBe(
      'evt_01JH7Q8M2K',
    );
  });

  it('accepts a null-prototype object', () => {
    const headers = Object.assign(Object.create(null) as Record<string, string>, {
      'x-together-signature': signature,
      'x-together-timestamp': timestamp,
    });
    expect(accepts(headers)).toBe('evt_01JH7Q8M2K');
  });

  it('accepts a one-shot iterator of pairs (a generator, headers.entries())', () => {
    function* pairs(): Generator<[string, string]> {
      yield ['x-together-signature', signature];
      yield ['x-together-timestamp', timestamp];
    }
    expect(accepts(pairs())).toBe('evt_01JH7Q8M2K');
    expect(accepts(new Headers({ 'x-together-signature': signature, 'x-together-timestamp': timestamp }).entries())).toBe(
      'evt_01JH7Q8M2K',
    );
  });

  it('skips malformed pairs and non-string values instead of throwing', () => {
    const pairs = [['x-together-signature'], 'junk', null, ['x-together-signature', signature], ['x-together-timestamp', timestamp]];
    expect(accepts(pairs as unknown as Iterable<[string, string]>)).toBe('evt_01JH7Q8M2K');
    const record = { 'x-together-signature': 42, 'x-together-timestamp': timestamp } as unknown as HeadersLike;
    expectCode(caught(() => accepts(record)), 'missing_signature');
  });

  it('accepts headers with the signature of another secret in rotation', () => {
    const other = signed(eventBody(), { secret: OTHER_SECRET });
    expect(verifySync(other, { secret: [SECRET, OTHER_SECRET], now: clockAt() }).id).toBe('evt_01JH7Q8M2K');
  });

  it.each([null, undefined, 'x-together-signature: abc', 42])('refuses headers %j with a TypeError', async (headers) => {
    expect(() => verifySync({ body, headers: headers as unknown as HeadersLike }, options)).toThrow(TypeError);
    await expect(verify({ body, headers: headers as unknown as HeadersLike }, options)).rejects.toThrow(TypeError);
  });
});
