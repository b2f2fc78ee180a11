import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fixtures from './fixtures/sign-vectors.json';
import { run, tempDir } from './helpers.js';

// Known answers from openssl (fixtures/sign-vectors.sh), not from this repository's code.
const vectors = fixtures.vectors.map((vector) => ({ ...vector, body: Buffer.from(vector.bodyBase64, 'base64') }));

describe('sign: known-answer vectors from openssl', () => {
  it.each(vectors)('$name (stdin)', async ({ secret, timestamp, body, signature }) => {
    const result = await run(['sign', '--secret', secret, '--timestamp', String(timestamp)], { stdin: body });
    expect(result).toEqual({
      code: 0,
      stdout: `x-together-signature: ${signature}\nx-together-timestamp: ${timestamp}\n`,
      stderr: '',
    });
  });

  it.each(vectors)('$name (--body file, --json, secret from the environment)', async ({ secret, timestamp, body, signature }) => {
    const dir = await tempDir('tw-sign-');
    await writeFile(join(dir, 'body'), body);
    const result = await run(['sign', '--timestamp', String(timestamp), '--body', join(dir, 'body'), '--json'], {
      env: { TOGETHER_WEBHOOK_SECRET: secret },
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ 'x-together-signature': signature, 'x-together-timestamp': String(timestamp) });
  });

  it('several --secret: one signature each, comma-separated, as a rotating sender sends', async () => {
    const [current, rotated] = vectors.filter((vector) => vector.name.startsWith('empty body'));
    const result = await run(['sign', '--secret', current!.secret, '--secret', rotated!.secret, '--timestamp', String(current!.timestamp)], {
      stdin: '',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`x-together-signature: ${current!.signature},${rotated!.signature}\nx-together-timestamp: ${current!.timestamp}\n`);
  });

  it('what sign prints, verify accepts', async () => {
    const vector = vectors[0]!;
    const dir = await tempDir('tw-sign-');
    await writeFile(join(dir, 'body.json'), vector.body);
    const signed = await run(['sign', '--secret', vector.secret, '--body', join(dir, 'body.json')]);
    await writeFile(join(dir, 'headers.txt'), signed.stdout);
    const verified = await run(['verify', '--secret', vector.secret, '--body', join(dir, 'body.json'), '--headers', join(dir, 'headers.txt')]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^✓ verified: fine_tune\.completed evt_cli_1 \(signed \d+ s ago\)$/m);
  });
});
