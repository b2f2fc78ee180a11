/**
 * @module property-cases — the property tests of spec section 10, defined once and run at two
 * sizes: a modest count in every project (properties.test.ts) and a heavy one on Node only
 * (properties.node.test.ts).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  sign,
  verify,
  verifySync,
  WebhookVerificationError,
  type HeadersLike,
  type VerifyOptions,
} from '@x/together-webhooks-core';
import { caught, expectCode, flipBit, fromHex, toHex, utf8 } from './helpers.js';

/** Secrets a user can configure: non-empty, no surrounding whitespace, any characters. */
const secretArb = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 64 })
  .filter((secret) => secret.length > 0 && secret.trim() === secret);
const timestampArb = fc.integer({ min: 0, max: 99_999_999_999 });
const bodyArb = fc.uint8Array({ maxLength: 2048 });

const envelopeArb = fc.record(
  {
    id: fc.string({ unit: 'binary', minLength: 1 }),
    type: fc.oneof(fc.constantFrom('fine_tune.completed', 'batch.failed', 'video.completed'), fc.string({ minLength: 1 })),
    created: fc.string(),
    data: fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 8 }),
    extra: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ['id', 'type', 'data'] },
);

function headersFor(signature: string, timestamp: number): Record<string, string> {
  return { 'x-together-signature': signature, 'x-together-timestamp': String(timestamp) };
}

function optionsAt(secret: string | readonly string[], timestamp: number): VerifyOptions {
  return { secret, now: () => timestamp * 1000 };
}

/** Each property as an `it`, run `numRuns` times within `timeout` ms. */
export function defineProperties(numRuns: number, timeout?: number): void {
  const params = { numRuns };

  it('sign then verify round-trips arbitrary bytes under arbitrary secrets', () => {
    fc.assert(
      fc.property(bodyArb, secretArb, timestampArb, (body, secret, timestamp) => {
        const headers = sign(body, { secret, timestamp });
        try {
          verifySync({ body, headers }, optionsAt(secret, timestamp));
        } catch (error) {
          // Authentic bytes that are not an event: the signature check itself passed.
          expectCode(error, 'invalid_payload');
        }
      }),
      params,
    );
  }, timeout);

  it('sign then verify returns any envelope exactly as JSON.parse reads it', async () => {
    await fc.assert(
      fc.asyncProperty(envelopeArb, secretArb, fc.array(secretArb, { maxLength: 3 }), timestampArb, async (envelope, secret, others, timestamp) => {
        const text = JSON.stringify(envelope);
        const headers = sign(text, { secret, timestamp });
        const secrets = [...others, secret];
        expect(verifySync({ body: text, headers }, optionsAt(secrets, timestamp))).toEqual(JSON.parse(text));
        expect(await verify({ body: utf8(text), headers }, optionsAt(secrets, timestamp))).toEqual(JSON.parse(text));
      }),
      params,
    );
  }, timeout);

  it('rejects every single-bit change of the body', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 512 }), secretArb, fc.nat(), (body, secret, bit) => {
        const headers = sign(body, { secret, timestamp: 1_736_937_000 });
        const changed = flipBit(body, bit % (body.byteLength * 8));
        expectCode(caught(() => verifySync({ body: changed, headers }, optionsAt(secret, 1_736_937_000))), 'signature_mismatch');
      }),
      params,
    );
  }, timeout);

  it('rejects every change of one timestamp digit to another digit', () => {
    fc.assert(
      fc.property(bodyArb, secretArb, timestampArb, fc.nat(), fc.integer({ min: 1, max: 9 }), (body, secret, timestamp, at, shift) => {
        const signed = sign(body, { secret, timestamp });
        const digits = signed['x-together-timestamp'];
        const index = at % digits.length;
        const changed = digits.slice(0, index) + String((Number(digits[index]) + shift) % 10) + digits.slice(index + 1);
        const headers = { ...signed, 'x-together-timestamp': changed };
        // The verifier's clock reads the changed time, so only the signature can reject it.
        expectCode(caught(() => verifySync({ body, headers }, optionsAt(secret, Number(changed)))), 'signature_mismatch');
      }),
      params,
    );
  }, timeout);

  it('rejects every single-bit change of the signature value (whatever the hex case)', () => {
    fc.assert(
      fc.property(bodyArb, secretArb, fc.integer({ min: 0, max: 255 }), fc.boolean(), (body, secret, bit, upper) => {
        const signed = sign(body, { secret, timestamp: 1_736_937_000 });
        const hex = toHex(flipBit(fromHex(signed['x-together-signature']), bit));
        const headers = headersFor(upper ? hex.toUpperCase() : hex, 1_736_937_000);
        expectCode(caught(() => verifySync({ body, headers }, optionsAt(secret, 1_736_937_000))), 'signature_mismatch');
      }),
      params,
    );
  }, timeout);

  it('never throws anything but WebhookVerificationError or TypeError, whatever the input', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryCall(), async ({ input, options }) => {
        const sync = (() => {
          try {
            verifySync(input as never, options as never);
            return undefined;
          } catch (error) {
            return error;
          }
        })();
        expectAllowed(sync);
        const async = await verify(input as never, options as never).then(
          () => undefined,
          (error: unknown) => error,
        );
        expectAllowed(async);
      }),
      params,
    );
  }, timeout);
}

function expectAllowed(error: unknown): void {
  if (error === undefined) return;
  if (error instanceof WebhookVerificationError || error instanceof TypeError) return;
  expect.fail(`unexpected ${error instanceof Error ? `${error.name}: ${error.message}` : typeof error}`);
}

const headerNameArb = fc.oneof(
  fc.constantFrom('x-together-signature', 'X-Together-Signature', 'x-together-timestamp', 'X-TOGETHER-TIMESTAMP', 'content-type'),
  fc.string(),
);
const headerValueArb = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.stringMatching(/^[0-9a-fA-F, ]{0,200}$/),
  fc.stringMatching(/^[0-9]{0,20}$/),
  fc.array(fc.string()),
  fc.constant(undefined),
  fc.anything(),
);

/** Anything a caller could pass: well-formed deliveries (signed or not), odd shapes and junk. */
function arbitraryCall(): fc.Arbitrary<{ input: unknown; options: unknown }> {
  const bodyAnyArb = fc.oneof(fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 512 }), fc.anything());
  const headersArb: fc.Arbitrary<unknown> = fc.oneof(
    fc.dictionary(headerNameArb, headerValueArb),
    fc.array(fc.tuple(headerNameArb, headerValueArb)),
    fc.array(fc.tuple(headerNameArb, fc.string())).map((pairs) => new Map(pairs)),
    fc.anything(),
  );
  const optionsArb: fc.Arbitrary<unknown> = fc.oneof(
    fc.record(
      {
        secret: fc.oneof(secretArb, fc.array(secretArb), fc.string(), fc.anything()),
        toleranceSeconds: fc.oneof(fc.double(), fc.nat(), fc.anything()),
        maxBodyBytes: fc.oneof(fc.double(), fc.nat({ max: 4096 }), fc.anything()),
        now: fc.oneof(
          fc.double().map((value) => () => value),
          fc.integer({ min: 0, max: 2e12 }).map((value) => () => value),
          fc.anything(),
        ),
      },
      { requiredKeys: [] },
    ),
    fc.anything(),
  );
  // A correctly signed delivery with arbitrary options, so the checks after the HMAC run too.
  const signedCall = fc
    .tuple(fc.oneof(bodyArb, fc.json().map(utf8)), secretArb, timestampArb, optionsArb, fc.boolean())
    .map(([body, secret, timestamp, options, rotate]) => {
      const headers: HeadersLike = sign(body, { secret, timestamp });
      const merged = typeof options === 'object' && options !== null ? { ...options, secret: rotate ? ['whsec_x', secret] : secret } : options;
      return { input: { body, headers }, options: merged };
    });
  const anyCall = fc.record({
    input: fc.oneof(fc.record({ body: bodyAnyArb, headers: headersArb }), fc.anything()),
    options: optionsArb,
  });
  return fc.oneof(signedCall, anyCall);
}
