import { describe, expect, inject, it } from 'vitest';
import { createWebhooks, cryptoBackend, sign, verify, verifySync } from '@x/together-webhooks-core';
import { clockAt, eventBody, SECRET, TIMESTAMP, toArrayBuffer, utf8, vectors } from './helpers.js';

const build = inject('coreBuild');
const onEdge = typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime === 'string';

describe('the build under test', () => {
  it('is the one the project names', () => {
    expect(cryptoBackend).toBe(build === 'node' ? 'node:crypto' : '@noble/hashes');
  });

  // Registered only in the edge project: elsewhere there is no edge runtime to check.
  if (onEdge) {
    it('is the portable build when running under the edge runtime', () => {
      expect(cryptoBackend).toBe('@noble/hashes');
    });
  }
});

/**
 * Runs `action` with reads of Node-only globals recorded. Vitest's edge-runtime environment keeps
 * them defined (its own Request needs Buffer), so the portable code path is checked by trapping
 * every read while only that code runs.
 */
async function nodeGlobalsReadDuring(action: () => Promise<void>): Promise<string[]> {
  const reads: string[] = [];
  const names = ['Buffer', 'process', 'require', 'global', 'setImmediate'] as const;
  const originals = names.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const);
  for (const [name, descriptor] of originals) {
    const value: unknown = descriptor && ('value' in descriptor ? descriptor.value : descriptor.get?.call(globalThis));
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        reads.push(name);
        return value;
      },
    });
  }
  try {
    await action();
  } finally {
    for (const [name, descriptor] of originals) {
      if (descriptor) Object.defineProperty(globalThis, name, descriptor);
      else Reflect.deleteProperty(globalThis, name);
    }
  }
  return reads;
}

/** Runs `action` while `globalThis.crypto` has no `subtle`, as in a browser page over plain http. */
async function withoutWebCrypto<T>(action: () => Promise<T>): Promise<T> {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
  Object.defineProperty(globalThis, 'crypto', { configurable: true, value: { getRandomValues: (array: Uint8Array) => array } });
  try {
    return await action();
  } finally {
    if (descriptor) Object.defineProperty(globalThis, 'crypto', descriptor);
  }
}

// Registered only for the portable build: the Node build uses Node's globals by design.
if (cryptoBackend === '@noble/hashes') describe('the portable code path', () => {
  it('never reads Buffer, process, require or other Node globals', async () => {
    const body = eventBody();
    // Platform objects are built outside the trap: the environment's own Headers reads Buffer.
    const headers = sign(body, { secret: SECRET, timestamp: TIMESTAMP });
    const fetchHeaders = new Headers(headers);
    const bytes = utf8(body);
    const arrayBuffer = toArrayBuffer(bytes);
    const reads = await nodeGlobalsReadDuring(async () => {
      sign(body, { secret: SECRET, timestamp: TIMESTAMP });
      sign(bytes, { secret: SECRET, timestamp: TIMESTAMP });
      verifySync({ body, headers }, { secret: SECRET, now: clockAt() });
      verifySync({ body: bytes, headers }, { secret: [SECRET, 'whsec_x'], now: clockAt() });
      // Web Crypto (what verify() uses) is the platform's code, which may use anything it likes
      // (Node's reads Buffer); without it, verify() refuses with a TypeError naming verifySync.
      await expect(
        withoutWebCrypto(() => verify({ body: arrayBuffer, headers: Object.entries(headers) }, { secret: SECRET, now: clockAt() })),
      ).rejects.toThrow(/needs Web Crypto \(crypto\.subtle\) here: .*verifySync/);
      for (const vector of vectors) {
        sign(vector.body, { secret: vector.secret, timestamp: vector.timestamp });
      }
      try {
        verifySync({ body, headers: { ...headers, 'x-together-signature': '00' } }, { secret: SECRET, now: clockAt() });
      } catch {
        // a rejection is part of the path under test
      }
    });
    expect(reads).toEqual([]);
    expect((await verify({ body: arrayBuffer, headers }, { secret: SECRET, now: clockAt() })).id).toBeTruthy();
    // A receiver falls back on the bundled HMAC where there is no Web Crypto.
    const webhooks = createWebhooks({ secret: SECRET, now: clockAt() }).onAny(() => undefined);
    const request = new Request('http://127.0.0.1/webhooks', { method: 'POST', body, headers });
    expect((await withoutWebCrypto(() => webhooks.handle(request))).outcome).toBe('processed');
    // Reading a Fetch Headers goes through the platform's code, which may use anything it likes.
    expect(verifySync({ body, headers: fetchHeaders }, { secret: SECRET, now: clockAt() }).id).toBeTruthy();
  });
});
