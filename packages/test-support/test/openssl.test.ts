/**
 * What OpenSSL computes here is what the known-answer files are built from: its HMAC gives RFC
 * 4231's answers, and each scheme's signature is what node:crypto computes over the same bytes.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { opensslHmac, opensslSignature } from '../src/openssl.js';
import { assertOpenssl, skipWithoutOpenssl } from '../src/known-answers.js';

// RFC 4231, section 4: test cases 1, 2 and 6 (a key longer than SHA-256's block, hashed first).
const rfc4231 = [
  ['20 bytes of 0x0b', Buffer.alloc(20, 0x0b), 'Hi There', 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
  ['"Jefe"', Buffer.from('Jefe'), 'what do ya want for nothing?', '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
  [
    '131 bytes of 0xaa',
    Buffer.alloc(131, 0xaa),
    'Test Using Larger Than Block-Size Key - Hash Key First',
    '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
  ],
] as const;

const body = Buffer.concat([Buffer.from('{"id":"evt_1","data":{"note":"'), Buffer.from([0xff, 0xc3, 0x28]), Buffer.from('"}}')]);

describe.skipIf(skipWithoutOpenssl)('OpenSSL', () => {
  it.each(rfc4231)('opensslHmac under %s gives RFC 4231’s answer', (_key, key, data, mac) => {
    assertOpenssl();
    expect(opensslHmac(key, Buffer.from(data)).toString('hex')).toBe(mac);
  });

  it('signs the together scheme as node:crypto does: the secret’s UTF-8 bytes over <timestamp>.<body>, hex', () => {
    assertOpenssl();
    const secret = 'whsec_ключ_🔑';
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update('1736937000.').update(body).digest('hex');
    expect(opensslSignature({ scheme: 'together', secret, timestamp: 1736937000, body })).toBe(expected);
  });

  it('signs Standard Webhooks as node:crypto does: the decoded key over <id>.<timestamp>.<body>, v1,<base64>', () => {
    assertOpenssl();
    const key = Buffer.from('rMII0+YpvMcYFbi2+FB07dc7VQhsZwZzCQytdbOaiT8=', 'base64');
    const expected = `v1,${createHmac('sha256', key).update('msg_1.1767225600.').update(body).digest('base64')}`;
    const input = { scheme: 'standard-webhooks', id: 'msg_1', timestamp: 1767225600, body } as const;
    expect(opensslSignature({ ...input, secret: `whsec_${key.toString('base64')}` })).toBe(expected);
    expect(opensslSignature({ ...input, secret: key.toString('base64') }), 'bare base64').toBe(expected);
  });
});

describe('arguments', () => {
  it('a Standard Webhooks signature without an id is a TypeError', () => {
    expect(() => opensslSignature({ scheme: 'standard-webhooks', secret: 'whsec_AAAA', timestamp: 0, body: '' })).toThrow(TypeError);
  });

  it('an empty key is a TypeError, not an OpenSSL failure', () => {
    expect(() => opensslHmac(new Uint8Array(0), new Uint8Array(0))).toThrow(new TypeError('key must not be empty'));
  });
});
