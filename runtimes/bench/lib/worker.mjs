/**
 * @module worker — the workerd benchmark worker. workerd freezes the clock while code runs (a
 * Spectre mitigation), so the loop runs here and the time is taken outside: GET /run?case=&n=
 * runs one case n times and answers when done. The floor is workerd's native HMAC:
 * crypto.subtle.sign over `<timestamp>.<body>` (one buffer: subtle has no update()) and
 * crypto.subtle.timingSafeEqual, awaited each time.
 */
import { cryptoBackend, sign, verifySync } from '@x/together-webhooks-core';
import { SECRET, eventBytes, hexBytes } from './payload.mjs';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
let setup;

async function prepare() {
  const body = eventBytes(1024);
  const headers = sign(body, { secret: SECRET });
  const key = await globalThis.crypto.subtle.importKey('raw', encoder.encode(SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const expected = hexBytes(headers['x-together-signature']);
  const prefix = `${headers['x-together-timestamp']}.`;
  const options = { secret: SECRET };

  async function floor() {
    const head = encoder.encode(prefix);
    const message = new Uint8Array(head.length + body.length);
    message.set(head);
    message.set(body, head.length);
    const mac = new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', key, message));
    if (!globalThis.crypto.subtle.timingSafeEqual(mac, expected)) throw new Error('floor: mismatch');
  }

  return {
    floor,
    'floor+parse': async () => {
      await floor();
      JSON.parse(decoder.decode(body));
    },
    verifySync: () => {
      verifySync({ body, headers }, options);
    },
  };
}

export default {
  async fetch(request) {
    setup ??= await prepare();
    const url = new URL(request.url);
    const fn = setup[url.searchParams.get('case') ?? ''];
    const n = Number(url.searchParams.get('n') ?? '0');
    if (url.pathname !== '/run' || (n > 0 && !fn)) return new Response('unknown case', { status: 404 });
    // Only the async floor pays for an await; the synchronous cases run without one.
    for (let i = 0; i < n; i++) {
      const pending = fn();
      if (pending) await pending;
    }
    return Response.json({ n, cryptoBackend });
  },
};
