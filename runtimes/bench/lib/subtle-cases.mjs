/**
 * @module subtle-cases — the cases of a runtime whose native HMAC is Web Crypto (workerd,
 * Chromium): the floor is crypto.subtle.sign over `<timestamp>.<body>` (one buffer: subtle has no
 * update()) and a constant-time compare, awaited each time; then verifySync (the bundled noble
 * HMAC) and verify() (async: crypto.subtle, keyed once per secret) over the same delivery.
 */
import { cryptoBackend, sign, verify, verifySync } from '@x/together-webhooks-core';
import { SECRET, eventBytes, hexBytes } from './payload.mjs';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A constant-time compare: workerd's own where it has one, else a branch-free loop. */
function equalBytes(a, b) {
  const native = globalThis.crypto.subtle.timingSafeEqual;
  if (native) return native.call(globalThis.crypto.subtle, a, b);
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** The cases, by name; each runs once per call (the async ones return a promise). */
export async function prepareSubtleCases() {
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
    if (!equalBytes(mac, expected)) throw new Error('floor: mismatch');
  }

  return {
    cryptoBackend,
    cases: {
      floor,
      'floor+parse': async () => {
        await floor();
        JSON.parse(decoder.decode(body));
      },
      verifySync: () => {
        verifySync({ body, headers }, options);
      },
      verify: () => verify({ body, headers }, options),
    },
  };
}

/** Runs one case `n` times; only the async cases pay for an await. */
export async function runCase(fn, n) {
  for (let i = 0; i < n; i++) {
    const pending = fn();
    if (pending) await pending;
  }
}
