import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { standardWebhooksScheme, togetherScheme, verifySync } from '@x/together-webhooks-core';
import { describe, it } from 'vitest';
import fixtures from './fixtures/sign-vectors.json';
import { run, tempDir } from './helpers.js';

// Known answers from OpenSSL (fixtures/sign-vectors.ts), not from this repository's code.
const decode = <T extends { bodyBase64: string }>(vector: T) => ({ ...vector, body: Buffer.from(vector.bodyBase64, 'base64') });
const vectors = fixtures.vectors.map(decode);
const standardVectors = fixtures.standard.map(decode);

/** What `sign` prints: one `name: value` a line. */
const lines = (headers: Record<string, string>) => Object.entries(headers).map(([name, value]) => `${name}: ${value}\n`).join('');
const parseLines = (text: string) => Object.fromEntries(text.trimEnd().split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));

// Every run is its own process: the tests run concurrently, each with its own `expect`.
describe.concurrent('sign: known-answer vectors from openssl', () => {
  it.for(vectors)('$name (stdin)', async ({ secret, timestamp, body, signature }, { expect }) => {
    const result = await run(['sign', '--secret', secret, '--timestamp', String(timestamp)], { stdin: body });
    expect(result).toEqual({ code: 0, stdout: lines({ 'x-together-signature': signature, 'x-together-timestamp': String(timestamp) }), stderr: '' });
  });

  it.for(vectors)('$name (--body file, --json, secret from the environment)', async ({ secret, timestamp, body, signature }, { expect }) => {
    const dir = await tempDir('tw-sign-');
    await writeFile(join(dir, 'body'), body);
    const result = await run(['sign', '--timestamp', String(timestamp), '--body', join(dir, 'body'), '--json'], {
      env: { TOGETHER_WEBHOOK_SECRET: secret },
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ scheme: 'together', headers: { 'x-together-signature': signature, 'x-together-timestamp': String(timestamp) } });
  });

  it.for(standardVectors)('--scheme standard: $name', async ({ secret, timestamp, id, body, signature }, { expect }) => {
    // The vector whose id is the body's own is signed without --id: the body's id is the default.
    const idArgs = id === 'evt_cli_1' ? [] : ['--id', id];
    const result = await run(['sign', '--scheme', 'standard', '--secret', secret, '--timestamp', String(timestamp), ...idArgs], { stdin: body });
    expect(result).toEqual({ code: 0, stdout: lines({ 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature }), stderr: '' });
  });
});

describe.concurrent('sign: rotation, one signature per secret, as the core signs', () => {
  it.for([
    ['together', vectors.filter((vector) => vector.name.startsWith('empty body')), ',', ['x-together-signature', 'x-together-timestamp']],
    ['standard', standardVectors.filter((vector) => vector.name.startsWith('Standard Webhooks payload')), ' ', ['webhook-id', 'webhook-timestamp', 'webhook-signature']],
  ] as const)('%s: several --secret', async ([scheme, [current, rotated], separator, names], { expect }) => {
    const idArgs = scheme === 'standard' ? ['--id', 'msg_cli_1'] : [];
    const secrets = ['--secret', current!.secret, '--secret', rotated!.secret];
    const result = await run(['sign', '--scheme', scheme, ...secrets, '--timestamp', String(current!.timestamp), ...idArgs], { stdin: current!.body });
    expect(result.code).toBe(0);
    const headers = parseLines(result.stdout);
    expect(Object.keys(headers)).toEqual(names);
    expect(headers[names.find((name) => name.endsWith('-signature'))!]).toBe(`${current!.signature}${separator}${rotated!.signature}`);
  });

  it.for(['together', 'standard'] as const)('%s: each secret alone verifies with the core', async (scheme, { expect }) => {
    const core = scheme === 'together' ? togetherScheme() : standardWebhooksScheme();
    const secrets = scheme === 'together' ? ['whsec_rotation_old_1', 'whsec_rotation_new_2'] : standardVectors.slice(0, 2).map((vector) => vector.secret);
    const body = JSON.stringify({ id: 'evt_rotation', type: 'batch.completed', created: '2025-01-15T10:30:00Z', timestamp: '2025-01-15T10:30:00Z', data: {} });
    const result = await run(['sign', '--scheme', scheme, '--json', ...secrets.flatMap((secret) => ['--secret', secret])], { stdin: body });
    expect(result.code).toBe(0);
    const { headers } = JSON.parse(result.stdout) as { headers: Record<string, string> };
    for (const secret of secrets) expect(verifySync({ body, headers }, { secret, scheme: core }).id).toBe('evt_rotation');
    expect(() => verifySync({ body, headers }, { secret: secrets[0]!.replace(/.$/, 'X'), scheme: core })).toThrow(/no signature matches/);
  });
});

describe.concurrent('sign: what it prints, verify accepts', () => {
  it.for([
    ['together', vectors[0]!.secret, vectors[0]!.body, /^✓ verified: fine_tune\.completed evt_cli_1 \(signed \d+ s ago\)$/m],
    // No --id and no id in the body: a new msg_… id, which the event carries.
    ['standard', standardVectors[0]!.secret, standardVectors[0]!.body, /^✓ verified: batch\.completed msg_[0-9a-f]{24} \(signed \d+ s ago\)$/m],
  ] as const)('%s', async ([scheme, secret, body, verified], { expect }) => {
    const dir = await tempDir('tw-sign-');
    await writeFile(join(dir, 'body.json'), body);
    const signed = await run(['sign', '--scheme', scheme, '--secret', secret, '--body', join(dir, 'body.json')]);
    await writeFile(join(dir, 'headers.txt'), signed.stdout);
    const result = await run(['verify', '--scheme', scheme, '--secret', secret, '--body', join(dir, 'body.json'), '--headers', join(dir, 'headers.txt')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(verified);
  });
});
