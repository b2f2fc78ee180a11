import { fileURLToPath } from 'node:url';
import { EdgeVM } from '@edge-runtime/vm';
import { build, type Plugin } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { vectors } from './helpers.js';

// Vitest's edge-runtime environment leaves Node's globals reachable, so this file bundles the
// package the way the portable build does (`#crypto` -> @noble/hashes, platform neutral) and runs
// the bundle inside a fresh EdgeVM: a context with only the edge globals, where any use of Buffer,
// process, require or a `node:` module fails.
const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

const portableCrypto: Plugin = {
  name: 'portable-crypto',
  setup(builder) {
    builder.onResolve({ filter: /^#crypto$/ }, () => ({ path: root('src/crypto/portable.ts') }));
  },
};

let bundle: string;
let vm: EdgeVM;

beforeAll(async () => {
  const result = await build({
    entryPoints: [root('src/index.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'togetherWebhooks',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    plugins: [portableCrypto],
    logLevel: 'silent',
  });
  bundle = result.outputFiles[0]!.text;
  vm = new EdgeVM();
  vm.evaluate(bundle);
});

/** Runs `code` in the VM with `input` bound to a structured copy of `input`. */
async function inVm(code: string, input: unknown = null): Promise<unknown> {
  const context = vm.context as unknown as Record<string, unknown>;
  context.__input = JSON.stringify(input);
  return await vm.evaluate<Promise<unknown>>(`(async () => { const input = JSON.parse(__input); ${code} })()`);
}

describe('the portable bundle inside a pristine EdgeVM', () => {
  it('imports nothing from Node', () => {
    expect(bundle).not.toMatch(/\bnode:/);
    expect(bundle).not.toMatch(/\brequire\(/);
    // Identifiers only: error messages mention a Node Buffer as something callers may pass.
    expect(bundle).not.toMatch(/\bBuffer\s*[.(]/);
    expect(bundle).not.toMatch(/\bprocess\./);
  });

  it('runs where Node globals do not exist', async () => {
    expect(await inVm(`return [typeof Buffer, typeof process, typeof require, typeof EdgeRuntime]`)).toEqual([
      'undefined',
      'undefined',
      'undefined',
      'string',
    ]);
    expect(await inVm(`return togetherWebhooks.cryptoBackend`)).toBe('@noble/hashes');
  });

  it.each(vectors.filter((vector) => vector.body.byteLength > 0))(
    'signs and verifies the $name vector (bytes and Request)',
    async (vector) => {
      const result = await inVm(
        `
        const { sign, verify, verifySync } = togetherWebhooks;
        const body = Uint8Array.from(atob(input.bodyBase64), (c) => c.charCodeAt(0));
        const options = { secret: input.secret, now: () => input.timestamp * 1000 };
        const headers = { 'x-together-signature': input.signature, 'x-together-timestamp': String(input.timestamp) };
        const signed = sign(body, { secret: input.secret, timestamp: input.timestamp });
        const fromBytes = verifySync({ body, headers }, options);
        const request = new Request('http://127.0.0.1/webhooks', { method: 'POST', body, headers });
        const fromRequest = await verify(request, options);
        let forged;
        try { verifySync({ body, headers: { ...headers, 'x-together-timestamp': '1' } }, options); }
        catch (error) { forged = [error.name, error.code, error.status, error instanceof togetherWebhooks.WebhookVerificationError]; }
        return { signature: signed['x-together-signature'], ids: [fromBytes.id, fromRequest.id], forged };
      `,
        { secret: vector.secret, timestamp: vector.timestamp, signature: vector.signature, bodyBase64: toBase64(vector.body) },
      );
      expect(result).toEqual({
        signature: vector.signature,
        ids: [expect.stringMatching(/^evt_/), expect.stringMatching(/^evt_/)],
        forged: ['WebhookVerificationError', 'signature_mismatch', 401, true],
      });
    },
  );

  it('rejects an oversized streamed Request without a content-length', async () => {
    const result = await inVm(`
      let pulled = 0;
      const chunk = new Uint8Array(64 * 1024).fill(0x20);
      const stream = new ReadableStream({ pull(controller) { pulled += chunk.byteLength; controller.enqueue(chunk); } });
      const request = new Request('http://127.0.0.1/webhooks', {
        method: 'POST', body: stream, duplex: 'half',
        headers: { 'x-together-signature': 'ab'.repeat(32), 'x-together-timestamp': '1736937000' },
      });
      try { await togetherWebhooks.verify(request, { secret: 'whsec_edge', maxBodyBytes: 200000 }); return 'accepted'; }
      catch (error) { return { code: error.code, pulled }; }
    `);
    expect(result).toMatchObject({ code: 'payload_too_large' });
    expect((result as { pulled: number }).pulled).toBeLessThanOrEqual(200_000 + 3 * 64 * 1024);
  });
});

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
