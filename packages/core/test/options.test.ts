import { describe, expect, it } from 'vitest';
import { DEFAULT_TOLERANCE_SECONDS, sign, verify, verifySync, WebhookVerificationError, type VerifyOptions } from '@x/together-webhooks-core';
import { caught, caughtAsync, clockAt, eventBody, SECRET, signed, TIMESTAMP, utf8 } from './helpers.js';

const delivery = signed();

describe('misconfiguration is a TypeError, never a 401', () => {
  const cases: [string, unknown][] = [
    ['no options', undefined],
    ['options null', null],
    ['no secret', {}],
    ['secret undefined', { secret: undefined }],
    ['an empty secret', { secret: '' }],
    ['a secret with a trailing newline', { secret: `${SECRET}\n` }],
    ['a secret with a leading space', { secret: ` ${SECRET}` }],
    ['a secret of whitespace only', { secret: ' \t' }],
    ['a secret with a trailing non-breaking space', { secret: `${SECRET}\u00a0` }],
    ['a number secret', { secret: 12345 }],
    ['a Uint8Array secret', { secret: utf8(SECRET) }],
    ['an empty array', { secret: [] }],
    ['a non-string in the array', { secret: [SECRET, 42] }],
    ['an empty string in the array', { secret: [SECRET, ''] }],
    ['a padded string in the array', { secret: [SECRET, `${SECRET} `] }],
    ['negative toleranceSeconds', { secret: SECRET, toleranceSeconds: -1 }],
    ['NaN toleranceSeconds', { secret: SECRET, toleranceSeconds: Number.NaN }],
    ['infinite toleranceSeconds', { secret: SECRET, toleranceSeconds: Number.POSITIVE_INFINITY }],
    ['string toleranceSeconds', { secret: SECRET, toleranceSeconds: '300' }],
    ['negative maxBodyBytes', { secret: SECRET, maxBodyBytes: -1 }],
    ['string maxBodyBytes', { secret: SECRET, maxBodyBytes: '1mb' }],
    ['now not a function', { secret: SECRET, now: 1_736_937_000_000 }],
  ];

  it.each(cases)('%s', async (_case, options) => {
    const sync = caught(() => verifySync(delivery, options as VerifyOptions));
    expect(sync).toBeInstanceOf(TypeError);
    expect(sync).not.toBeInstanceOf(WebhookVerificationError);
    expect(await caughtAsync(() => verify(delivery, options as VerifyOptions))).toBeInstanceOf(TypeError);
  });

  it('is found even for a delivery that would be rejected anyway', () => {
    expect(() => verifySync({ body: 'x', headers: {} }, { secret: '' })).toThrow(TypeError);
  });

  it('names the whitespace problem without printing the secret', () => {
    const error = caught(() => verifySync(delivery, { secret: `${SECRET}\n` })) as TypeError;
    expect(error.message).toMatch(/whitespace/);
    expect(error.message).not.toContain(SECRET);
    const inArray = caught(() => verifySync(delivery, { secret: ['whsec_ok', `${SECRET}\n`] })) as TypeError;
    expect(inArray.message).toMatch(/secret\[1\]/);
    expect(inArray.message).not.toContain(SECRET);
  });

  it('applies to sign() as well', () => {
    for (const secret of ['', ` ${SECRET}`, `${SECRET}\r\n`, undefined, 7]) {
      expect(() => sign(eventBody(), { secret: secret as string })).toThrow(TypeError);
    }
    expect(() => sign(eventBody(), undefined as never)).toThrow(TypeError);
  });

  it('includes a now() that does not return a finite number', () => {
    expect(() => verifySync(delivery, { secret: SECRET, now: () => Number.NaN })).toThrow(TypeError);
    expect(() => verifySync(delivery, { secret: SECRET, now: (() => '1736937000000') as never })).toThrow(TypeError);
  });
});

describe('options', () => {
  it('defaults toleranceSeconds to 300', () => {
    expect(DEFAULT_TOLERANCE_SECONDS).toBe(300);
  });

  it('accepts a readonly array of secrets and leaves it unchanged', () => {
    const secrets = Object.freeze(['whsec_a', SECRET] as const);
    expect(verifySync(delivery, { secret: secrets, now: clockAt() }).id).toBe('evt_01JH7Q8M2K');
    expect(secrets).toEqual(['whsec_a', SECRET]);
  });

  it('allows a secret with inner spaces and any characters', () => {
    const secret = 'whsec with spaces, ü and 🔑';
    expect(verifySync(signed(eventBody(), { secret }), { secret, now: clockAt() }).id).toBe('evt_01JH7Q8M2K');
  });

  it('accepts a fractional tolerance (only whole seconds of age are compared)', () => {
    expect(verifySync(signed(eventBody(), { timestamp: TIMESTAMP - 10 }), { secret: SECRET, now: clockAt(), toleranceSeconds: 10.5 }).id).toBe(
      'evt_01JH7Q8M2K',
    );
  });
});

describe('what error messages never contain', () => {
  const body = eventBody();
  const expected = sign(body, { secret: SECRET, timestamp: TIMESTAMP })['x-together-signature'];
  const forgedHeaders = { 'x-together-signature': 'ab'.repeat(32), 'x-together-timestamp': String(TIMESTAMP) };
  const failures: [string, () => unknown][] = [
    ['mismatch', () => verifySync({ body, headers: forgedHeaders }, { secret: SECRET, now: clockAt() })],
    ['mismatch, several secrets', () => verifySync({ body, headers: forgedHeaders }, { secret: ['whsec_a', SECRET], now: clockAt() })],
    ['too old', () => verifySync({ body, headers: sign(body, { secret: SECRET, timestamp: TIMESTAMP }) }, { secret: SECRET, now: clockAt(999) })],
    ['in future', () => verifySync({ body, headers: sign(body, { secret: SECRET, timestamp: TIMESTAMP }) }, { secret: SECRET, now: clockAt(-999) })],
    ['invalid payload', () => verifySync(signed('[]'), { secret: SECRET, now: clockAt() })],
    ['too large', () => verifySync({ body, headers: forgedHeaders }, { secret: SECRET, maxBodyBytes: 1 })],
    ['missing timestamp', () => verifySync({ body, headers: { 'x-together-signature': expected } }, { secret: SECRET })],
    ['invalid timestamp', () => verifySync({ body, headers: { 'x-together-signature': expected, 'x-together-timestamp': 'x' } }, { secret: SECRET })],
    ['padded secret', () => verifySync({ body, headers: forgedHeaders }, { secret: `${SECRET}\n` })],
    ['padded secret in sign', () => sign(body, { secret: ` ${SECRET}` })],
  ];

  it.each(failures)('%s: no secret and no expected signature in message, String() or stack', (_case, action) => {
    const error = caught(action) as Error;
    const exposed = [error.message, String(error), error.stack ?? '', JSON.stringify(error), Object.values(error).join(' ')].join('\n');
    expect(exposed).not.toContain(SECRET);
    expect(exposed).not.toContain(expected);
    expect(exposed).not.toContain(expected.toUpperCase());
  });

  it('a rejection carries only code and status as its own fields', () => {
    const error = caught(failures[0]![1]) as WebhookVerificationError;
    expect(Object.keys(error).sort()).toEqual(['code', 'name', 'status']);
  });
});
