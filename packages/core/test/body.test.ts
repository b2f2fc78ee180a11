import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES, sign, verify, verifySync } from '@x/together-webhooks-core';
import {
  caught,
  caughtAsync,
  clockAt,
  eventBody,
  expectCode,
  SECRET,
  signed,
  TIMESTAMP,
  toArrayBuffer,
  utf8,
} from './helpers.js';

const options = { secret: SECRET, now: clockAt() };
const URL = 'http://127.0.0.1/webhooks';

/** An event body of exactly `size` UTF-8 bytes. */
function bodyOfSize(size: number): string {
  const empty = eventBody({ data: { pad: '' } });
  return eventBody({ data: { pad: 'x'.repeat(size - utf8(empty).byteLength) } });
}

describe('body shapes', () => {
  const text = eventBody({ data: { note: 'Grüße 🚀' } });
  const bytes = utf8(text);
  const headers = sign(bytes, { secret: SECRET, timestamp: TIMESTAMP });

  it.each([
    ['string', text],
    ['Uint8Array', bytes],
    ['ArrayBuffer', toArrayBuffer(bytes)],
    ['DataView', new DataView(toArrayBuffer(bytes))],
  ])('verifies a %s body', async (_shape, body) => {
    expect(verifySync({ body: body as Uint8Array, headers }, options).id).toBe('evt_01JH7Q8M2K');
    expect((await verify({ body: body as Uint8Array, headers }, options)).id).toBe('evt_01JH7Q8M2K');
  });

  it('does not modify the body it was given', () => {
    const body = utf8(text);
    verifySync({ body, headers }, options);
    expect(body).toEqual(bytes);
  });

  it('verifies an empty body over the bytes "<timestamp>." alone (then rejects it as no event)', () => {
    const empty = signed('');
    expectCode(caught(() => verifySync(empty, options)), 'invalid_payload');
    expectCode(caught(() => verifySync({ body: new Uint8Array(0), headers: empty.headers }, options)), 'invalid_payload');
    expectCode(caught(() => verifySync({ body: new ArrayBuffer(0), headers: empty.headers }, options)), 'invalid_payload');
    expectCode(caught(() => verifySync({ body: ' ', headers: empty.headers }, options)), 'signature_mismatch');
  });

  it.each([
    ['a parsed object', JSON.parse(eventBody()) as unknown],
    ['an array', [1, 2, 3]],
    ['a Map', new Map()],
  ])('refuses %s with a TypeError that names the fix', async (_case, body) => {
    const input = { body: body as Uint8Array, headers: signed().headers };
    const error = caught(() => verifySync(input, options));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/raw bytes/);
    expect((error as Error).message).toMatch(/before any JSON parser/);
    await expect(verify(input, options)).rejects.toThrow(/raw bytes/);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['a boolean', true],
  ])('refuses a body that is %s with a TypeError', (_case, body) => {
    expect(() => verifySync({ body: body as unknown as string, headers: signed().headers }, options)).toThrow(TypeError);
  });

  it.each([
    ['null', null],
    ['a string', 'body'],
    ['an object without body', { headers: {} }],
    ['an object without headers', { body: '' }],
  ])('refuses an input that is %s with a TypeError', async (_case, input) => {
    expect(() => verifySync(input as never, options)).toThrow(TypeError);
    await expect(verify(input as never, options)).rejects.toThrow(TypeError);
  });
});

describe('body size', () => {
  it('accepts exactly 1 MiB by default and rejects 1 MiB + 1 with status 413', () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(1024 * 1024);
    const exact = bodyOfSize(DEFAULT_MAX_BODY_BYTES);
    expect(verifySync(signed(utf8(exact)), options).id).toBe('evt_01JH7Q8M2K');
    const over = bodyOfSize(DEFAULT_MAX_BODY_BYTES + 1);
    const error = expectCode(caught(() => verifySync(signed(utf8(over)), options)), 'payload_too_large');
    expect(error.status).toBe(413);
    expectCode(caught(() => verifySync(signed(over), options)), 'payload_too_large');
  });

  it('checks the size before the signature (an oversized forgery is still 413)', () => {
    const over = signed(bodyOfSize(201));
    expectCode(caught(() => verifySync({ ...over, headers: { ...over.headers, 'x-together-signature': 'ab'.repeat(32) } }, { ...options, maxBodyBytes: 200 })), 'payload_too_large');
  });

  it('honours maxBodyBytes for every body shape', () => {
    const body = utf8(bodyOfSize(200));
    const delivery = signed(body);
    expect(verifySync(delivery, { ...options, maxBodyBytes: 200 }).id).toBe('evt_01JH7Q8M2K');
    for (const shape of [body, toArrayBuffer(body)]) {
      expectCode(caught(() => verifySync({ body: shape, headers: delivery.headers }, { ...options, maxBodyBytes: 199 })), 'payload_too_large');
    }
  });

  it('measures a string body in UTF-8 bytes, not characters', () => {
    const text = eventBody({ data: { note: 'é'.repeat(50) } });
    const bytes = utf8(text).byteLength;
    expect(bytes).toBe(text.length + 50);
    expect(verifySync(signed(text), { ...options, maxBodyBytes: bytes }).id).toBe('evt_01JH7Q8M2K');
    expectCode(caught(() => verifySync(signed(text), { ...options, maxBodyBytes: bytes - 1 })), 'payload_too_large');
    const astral = eventBody({ data: { note: '🚀'.repeat(10) } });
    expectCode(caught(() => verifySync(signed(astral), { ...options, maxBodyBytes: utf8(astral).byteLength - 1 })), 'payload_too_large');
  });

  it('with maxBodyBytes 0 accepts only the empty body', () => {
    expectCode(caught(() => verifySync(signed(''), { ...options, maxBodyBytes: 0 })), 'invalid_payload');
    expectCode(caught(() => verifySync(signed('{}'), { ...options, maxBodyBytes: 0 })), 'payload_too_large');
  });
});

const request = (body: BodyInit | null, headers: Record<string, string>, init: RequestInit = {}) =>
  new Request(URL, { method: 'POST', body, headers, ...init });

describe('verify() on a Request', () => {
  it('verifies the raw bytes and reads the body once', async () => {
    const delivery = signed(utf8(eventBody({ data: { note: 'Grüße' } })));
    const req = request(toArrayBuffer(delivery.body as Uint8Array), delivery.headers);
    expect((await verify(req, options)).id).toBe('evt_01JH7Q8M2K');
    expect(req.bodyUsed).toBe(true);
  });

  it('verifies a streamed body that arrives in many chunks', async () => {
    const bytes = utf8(bodyOfSize(10_000));
    const headers = sign(bytes, { secret: SECRET, timestamp: TIMESTAMP });
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.byteLength) return controller.close();
        controller.enqueue(bytes.slice(offset, offset + 997));
        offset += 997;
      },
    });
    expect((await verify(request(stream, headers, { duplex: 'half' } as RequestInit), options)).id).toBe('evt_01JH7Q8M2K');
  });

  it('refuses a Request whose body was already read, with a TypeError', async () => {
    const delivery = signed();
    const req = request(delivery.body as string, delivery.headers);
    await req.text();
    const error = await caughtAsync(() => verify(req, options));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/already read/);
  });

  it('rejects missing headers before reading the body', async () => {
    const req = request(eventBody(), {});
    expectCode(await caughtAsync(() => verify(req, options)), 'missing_signature');
    expect(req.bodyUsed).toBe(false);
  });

  it('rejects a Request without a body as it would an empty one', async () => {
    const headers = sign('', { secret: SECRET, timestamp: TIMESTAMP });
    expectCode(await caughtAsync(() => verify(new Request(URL, { method: 'POST', headers }), options)), 'invalid_payload');
  });

  it('rejects a large declared content-length without reading the body', async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(16));
      },
    });
    const delivery = signed();
    const req = request(stream, { ...delivery.headers, 'content-length': String(DEFAULT_MAX_BODY_BYTES + 1) }, {
      duplex: 'half',
    } as RequestInit);
    expect(req.headers.get('content-length')).toBe(String(DEFAULT_MAX_BODY_BYTES + 1));
    expectCode(await caughtAsync(() => verify(req, options)), 'payload_too_large');
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it('stops reading a stream without content-length at the limit', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let pulled = 0;
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
      cancel() {
        cancelled = true;
      },
    });
    const delivery = signed();
    const req = request(stream, delivery.headers, { duplex: 'half' } as RequestInit);
    expect(req.headers.get('content-length')).toBeNull();
    const maxBodyBytes = 256 * 1024;
    expectCode(await caughtAsync(() => verify(req, { ...options, maxBodyBytes })), 'payload_too_large');
    // An endless stream: the reader stopped within a chunk or two past the limit and cancelled.
    expect(pulled).toBeGreaterThan(maxBodyBytes);
    expect(pulled).toBeLessThanOrEqual(maxBodyBytes + 3 * chunk.byteLength);
    expect(cancelled).toBe(true);
  });

  it('rejects 1 MiB + 1 streamed without content-length', async () => {
    const bytes = utf8(bodyOfSize(DEFAULT_MAX_BODY_BYTES + 1));
    const headers = sign(bytes, { secret: SECRET, timestamp: TIMESTAMP });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.byteLength; offset += 65_536) controller.enqueue(bytes.slice(offset, offset + 65_536));
        controller.close();
      },
    });
    expectCode(await caughtAsync(() => verify(request(stream, headers, { duplex: 'half' } as RequestInit), options)), 'payload_too_large');
  });

  it('ignores a content-length that is not a number and reads the body', async () => {
    const delivery = signed();
    const req = request(delivery.body as string, { ...delivery.headers, 'content-length': 'lots' });
    expect(req.headers.get('content-length')).toBe('lots');
    expect((await verify(req, options)).id).toBe('evt_01JH7Q8M2K');
  });
});

describe('a Request body stream that misbehaves (spec section 10)', () => {
  const delivery = signed();
  const streamed = (source: UnderlyingDefaultSource<unknown>) =>
    request(new ReadableStream(source) as ReadableStream<Uint8Array>, delivery.headers, { duplex: 'half' } as RequestInit);

  it.each([
    ['an Error', new Error('socket hang up')],
    ['a RangeError', new RangeError('bad length')],
    ['a non-Error value', 'boom'],
  ])('rejects a stream that errors with %s as invalid_payload (400), never the stream error itself', async (_case, reason) => {
    let sent = false;
    const req = streamed({
      pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(utf8('{"id":'));
        } else controller.error(reason);
      },
    });
    const error = expectCode(await caughtAsync(() => verify(req, options)), 'invalid_payload');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/body stream failed/);
  });

  it.each([
    ['strings', () => 'x'.repeat(1024)],
    ['numbers', () => 42],
    ['plain objects', () => ({ byteLength: 10 })],
    ['ArrayBuffers', () => new ArrayBuffer(8)],
  ])('rejects a stream that yields %s as invalid_payload, buffering nothing more', async (_case, chunk) => {
    let pulled = 0;
    const req = streamed({
      pull(controller) {
        pulled++;
        controller.enqueue(chunk());
      },
    });
    expectCode(await caughtAsync(() => verify(req, { ...options, maxBodyBytes: 1024 * 1024 })), 'invalid_payload');
    expect(pulled).toBeLessThanOrEqual(2);
  });

  it('counts views of any element type by their bytes, so maxBodyBytes holds', async () => {
    let pulled = 0;
    const req = streamed({
      pull(controller) {
        pulled++;
        controller.enqueue(new Float64Array(8 * 1024)); // 64 KiB each
      },
    });
    expectCode(await caughtAsync(() => verify(req, { ...options, maxBodyBytes: 256 * 1024 })), 'payload_too_large');
    expect(pulled * 64 * 1024).toBeLessThanOrEqual(256 * 1024 + 3 * 64 * 1024);
  });

  it('answers an oversized stream at once when its cancel() never settles (Next.js edge runtime)', async () => {
    const chunk = new Uint8Array(64 * 1024);
    const req = streamed({
      pull(controller) {
        controller.enqueue(chunk);
      },
      cancel: () => new Promise<void>(() => undefined),
    });
    const started = Date.now();
    expectCode(await caughtAsync(() => verify(req, { ...options, maxBodyBytes: 128 * 1024 })), 'payload_too_large');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('bodies both builds must decide alike', () => {
  it('rejects a body that starts with a UTF-8 byte order mark, as bytes and as text, as invalid_payload', () => {
    const json = eventBody();
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(json)]);
    expectCode(caught(() => verifySync(signed(withBom), options)), 'invalid_payload');
    expectCode(caught(() => verifySync(signed(`\uFEFF${json}`), options)), 'invalid_payload');
    // Two marks: neither build skips one of them and parses the rest.
    const twoBoms = new Uint8Array([0xef, 0xbb, 0xbf, ...withBom]);
    expectCode(caught(() => verifySync(signed(twoBoms), options)), 'invalid_payload');
  });

  it('refuses a string body with an unpaired surrogate: it would share its signature with other strings', () => {
    // Both encode to the same UTF-8 bytes (U+FFFD), so one signature would verify two ids.
    // JSON.stringify would escape a lone surrogate: put it in raw, as a broken decoder would.
    const a = eventBody({ id: 'evt_LONE' }).replace('LONE', '\uD800');
    const b = eventBody({ id: 'evt_LONE' }).replace('LONE', '\uDBFF');
    expect(utf8(a)).toEqual(utf8(b));
    const headers = sign(utf8(a), { secret: SECRET, timestamp: TIMESTAMP });
    for (const body of [a, b]) {
      const error = caught(() => verifySync({ body, headers }, options));
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/unpaired surrogates/);
    }
    // Well-formed text with astral characters is fine.
    expect(verifySync(signed(eventBody({ data: { note: '🚀' } })), options).id).toBe('evt_01JH7Q8M2K');
  });
});
