import { describe, expect, it } from 'vitest';
import { fitStoreKey } from '@x/together-webhooks-core';

const utf8Bytes = (text: string) => new TextEncoder().encode(text).byteLength;

describe('fitStoreKey', () => {
  it.each([
    ['a short key', 'together:event:evt_1'],
    ['a key of exactly the limit', `together:event:${'a'.repeat(200 - 15)}`],
    ['a non-ASCII key within the limit', `together:event:${'é'.repeat(90)}`],
  ])('keeps %s unchanged', (_name, key) => {
    expect(fitStoreKey(key, 200)).toBe(key);
  });

  it('replaces a key over the limit by its readable start and a SHA-256 digest, the same every time', () => {
    const key = `together:event:${'x'.repeat(5000)}`;
    const fitted = fitStoreKey(key, 2048);
    expect(fitted).toMatch(/^together:event:x{49}~sha256:[0-9a-f]{64}$/);
    expect(fitStoreKey(key, 2048)).toBe(fitted);
    // Independent of the limit: every store version that digests agrees.
    expect(fitStoreKey(key, 1024)).toBe(fitted);
  });

  it('digests the whole key: keys that differ only at the end stay apart', () => {
    const head = `together:event:${'y'.repeat(3000)}`;
    expect(fitStoreKey(`${head}a`, 2048)).not.toBe(fitStoreKey(`${head}b`, 2048));
  });

  it('counts UTF-8 bytes, not characters', () => {
    const key = `together:event:${'é'.repeat(150)}`; // 315 bytes, 165 characters
    expect(utf8Bytes(key)).toBeGreaterThan(300);
    expect(fitStoreKey(key, 300)).toMatch(/^together:event:~sha256:[0-9a-f]{64}$/);
    expect(fitStoreKey(key, 400)).toBe(key);
  });

  it('always digests a key with an unpaired surrogate, keeping such keys apart', () => {
    const a = fitStoreKey('together:event:\uD800', 2048);
    const b = fitStoreKey('together:event:\uDBFF', 2048);
    expect(a).toMatch(/~sha256:[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
    expect(fitStoreKey('together:event:\uD83D\uDE00', 2048)).toBe('together:event:\uD83D\uDE00');
  });

  it('refuses a limit too small for a digest', () => {
    expect(() => fitStoreKey('k', 100)).toThrow(RangeError);
  });
});

describe('fitStoreKey with characters a backend cannot hold', () => {
  it('digests a key holding one, keeping such keys apart, and leaves other keys alone', () => {
    // eslint-disable-next-line no-control-regex -- U+0000 is the character under test
    const nul = /\u0000/;
    const a = fitStoreKey('together:event:a\u0000b', 2048, nul);
    expect(a).toMatch(/^together:event:a~sha256:[0-9a-f]{64}$/);
    expect(fitStoreKey('together:event:a\u0000c', 2048, nul)).not.toBe(a);
    expect(fitStoreKey('together:event:plain', 2048, nul)).toBe('together:event:plain');
  });
});
