import { describe, expect, it } from 'vitest';
import { sign, verify, verifySync, type TogetherEvent } from '@x/together-webhooks-core';
import { caught, caughtAsync, expectCode, toArrayBuffer, vectors, type Vector } from './helpers.js';

// Expected signatures come from OpenSSL (test-support's test/core-vector-files.ts), not from this package.
const headersOf = (vector: Vector) => ({
  'x-together-signature': vector.signature,
  'x-together-timestamp': String(vector.timestamp),
});
const optionsOf = (vector: Vector) => ({ secret: vector.secret, now: () => vector.timestamp * 1000 });

/** Every body shape a caller may hold for the vector; a string only when the bytes are UTF-8. */
function bodyShapes(vector: Vector): [string, string | Uint8Array | ArrayBuffer][] {
  const shapes: [string, string | Uint8Array | ArrayBuffer][] = [
    ['Uint8Array', vector.body],
    ['ArrayBuffer', toArrayBuffer(vector.body)],
    ['Uint8Array view into a larger buffer', viewInside(vector.body)],
  ];
  if (vector.text !== undefined) shapes.push(['string', vector.text]);
  return shapes;
}

function viewInside(bytes: Uint8Array): Uint8Array {
  const backing = new Uint8Array(bytes.byteLength + 16).fill(0x7b);
  backing.set(bytes, 7);
  return backing.subarray(7, 7 + bytes.byteLength);
}

/** The outcome of verifying a vector: the event, or `invalid_payload` for the empty body. */
function expectAccepted(vector: Vector, outcome: () => TogetherEvent) {
  if (vector.body.byteLength === 0) {
    // Authentic (the signature matched), but an empty body is not an event.
    expectCode(caught(outcome), 'invalid_payload');
    return;
  }
  const event = outcome();
  expect(event.id).toMatch(/^evt_/);
}

describe.each(vectors)('known-answer vector $name ($description)', (vector) => {
  it('sign() reproduces the openssl signature from bytes', () => {
    expect(sign(vector.body, { secret: vector.secret, timestamp: vector.timestamp })).toEqual(headersOf(vector));
  });

  // Bodies that are not valid UTF-8 have no text form; only the others are signed from text too.
  if (vector.text !== undefined) {
    const text = vector.text;
    it('sign() reproduces it from the same text', () => {
      expect(sign(text, { secret: vector.secret, timestamp: vector.timestamp })).toEqual(headersOf(vector));
    });
  }

  it.each(bodyShapes(vector))('verifySync accepts the body as %s', (_shape, body) => {
    expectAccepted(vector, () => verifySync({ body, headers: headersOf(vector) }, optionsOf(vector)));
  });

  it.each(bodyShapes(vector))('verify accepts the body as %s', async (_shape, body) => {
    if (vector.body.byteLength === 0) {
      expectCode(await caughtAsync(() => verify({ body, headers: headersOf(vector) }, optionsOf(vector))), 'invalid_payload');
    } else {
      const event = await verify({ body, headers: headersOf(vector) }, optionsOf(vector));
      expect(event.id).toMatch(/^evt_/);
    }
  });

  it('verify accepts it as a Request', async () => {
    const request = () =>
      new Request('http://127.0.0.1/webhooks', { method: 'POST', body: toArrayBuffer(vector.body), headers: headersOf(vector) });
    if (vector.body.byteLength === 0) {
      expectCode(await caughtAsync(() => verify(request(), optionsOf(vector))), 'invalid_payload');
    } else {
      expect((await verify(request(), optionsOf(vector))).id).toMatch(/^evt_/);
    }
  });

  it('rejects the vector under another secret and at another timestamp', () => {
    expectCode(
      caught(() => verifySync({ body: vector.body, headers: headersOf(vector) }, { ...optionsOf(vector), secret: `${vector.secret}x` })),
      'signature_mismatch',
    );
    const shifted = { ...headersOf(vector), 'x-together-timestamp': String(vector.timestamp + 1) };
    expectCode(caught(() => verifySync({ body: vector.body, headers: shifted }, optionsOf(vector))), 'signature_mismatch');
  });
});

describe('the vector with bytes that are not UTF-8', () => {
  const vector = vectors.find((v) => v.name === 'invalid-utf8')!;

  it('is verified over the bytes, and its text decodes with replacement characters', () => {
    expect(vector.text).toBeUndefined();
    const event = verifySync({ body: vector.body, headers: headersOf(vector) }, optionsOf(vector));
    expect(event.type).toBe('resource.updated');
    expect((event.data as { note: string }).note).toContain('\uFFFD');
  });

  it('decoding and re-encoding the body breaks the signature', () => {
    const reencoded = new TextDecoder().decode(vector.body);
    expectCode(caught(() => verifySync({ body: reencoded, headers: headersOf(vector) }, optionsOf(vector))), 'signature_mismatch');
    const reencodedBytes = new TextEncoder().encode(reencoded);
    expect(reencodedBytes).not.toEqual(vector.body);
    expectCode(
      caught(() => verifySync({ body: reencodedBytes, headers: headersOf(vector) }, optionsOf(vector))),
      'signature_mismatch',
    );
  });
});

describe('the vectors with text', () => {
  it('parsing and re-serialising the body breaks the signature', () => {
    const vector = vectors.find((v) => v.name === 'unicode-json')!;
    const reserialised = JSON.stringify(JSON.parse(vector.text!), null, 1);
    expectCode(caught(() => verifySync({ body: reserialised, headers: headersOf(vector) }, optionsOf(vector))), 'signature_mismatch');
  });
});
