import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sign, verify, verifySync } from '@x/together-webhooks-core';
import { caught, clockAt, eventBody, expectCode, SECRET, TIMESTAMP, vectors } from './helpers.js';

// A Node Buffer is a Uint8Array and is accepted as is (spec section 5). Small Buffers share one
// pooled ArrayBuffer, so these also prove that only the view's own bytes are read.
describe('Node Buffer bodies', () => {
  it.each(vectors)('verify and verifySync accept the $name vector as a Buffer', async (vector) => {
    const body = Buffer.from(vector.body);
    const headers = { 'x-together-signature': vector.signature, 'x-together-timestamp': String(vector.timestamp) };
    const options = { secret: vector.secret, now: () => vector.timestamp * 1000 };
    expect(sign(body, { secret: vector.secret, timestamp: vector.timestamp })).toEqual(headers);
    if (vector.body.byteLength === 0) {
      expectCode(caught(() => verifySync({ body, headers }, options)), 'invalid_payload');
      return;
    }
    expect(verifySync({ body, headers }, options).id).toMatch(/^evt_/);
    expect((await verify({ body, headers }, options)).id).toMatch(/^evt_/);
  });

  it('reads only the bytes of a pooled Buffer', () => {
    const text = eventBody();
    const body = Buffer.from(text);
    expect(body.byteOffset > 0 || body.buffer.byteLength > body.byteLength).toBe(true);
    const headers = sign(text, { secret: SECRET, timestamp: TIMESTAMP });
    expect(verifySync({ body, headers }, { secret: SECRET, now: clockAt() }).id).toBe('evt_01JH7Q8M2K');
  });

  it('accepts the concatenated chunks of a Node stream, as adapters collect them', async () => {
    const text = eventBody({ data: { note: 'Grüße 🚀'.repeat(500) } });
    const chunks: Buffer[] = [];
    for await (const chunk of Readable.from([Buffer.from(text).subarray(0, 1001), Buffer.from(text).subarray(1001)])) {
      chunks.push(chunk as Buffer);
    }
    const headers = sign(text, { secret: SECRET, timestamp: TIMESTAMP });
    expect(verifySync({ body: Buffer.concat(chunks), headers }, { secret: SECRET, now: clockAt() }).id).toBe('evt_01JH7Q8M2K');
  });

  it('accepts Node IncomingHttpHeaders with a repeated signature header as string[]', () => {
    const text = eventBody();
    const signed = sign(text, { secret: SECRET, timestamp: TIMESTAMP });
    const headers = {
      host: '127.0.0.1:3000',
      'content-type': 'application/json',
      'x-together-signature': ['ab'.repeat(32), signed['x-together-signature']],
      'x-together-timestamp': signed['x-together-timestamp'],
    };
    expect(verifySync({ body: Buffer.from(text), headers }, { secret: SECRET, now: clockAt() }).id).toBe('evt_01JH7Q8M2K');
  });
});
