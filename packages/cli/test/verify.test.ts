import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sign } from '@x/together-webhooks-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { run, SECRET, type RunResult, tempDir } from './helpers.js';

const OTHER = 'whsec_cli_previous_Kd83hQ';
const BODY = '{"id":"evt_v1","type":"fine_tune.completed","created":"2025-01-15T10:30:00Z","data":{"id":"ft-1","status":"completed"}}';
const now = () => Math.floor(Date.now() / 1000);
let dir: string;

beforeAll(async () => {
  dir = await tempDir('tw-verify-');
});

/** Writes `received` as the body file and runs verify with the headers of a delivery signed over `signed`. */
async function verify(
  signed: string,
  { received = signed, secret = SECRET, timestamp = now(), args = [] as string[], drop = '' } = {},
): Promise<RunResult & { expected: string }> {
  const headers = sign(signed, { secret, timestamp });
  const file = join(dir, `body-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, received);
  const headerArgs = Object.entries(headers)
    .filter(([name]) => name !== drop)
    .flatMap(([name, value]) => ['--header', `${name}: ${value}`]);
  const result = await run(['verify', '--body', file, ...headerArgs, ...args]);
  // Never a secret, never the expected signature, whatever the outcome.
  for (const text of [result.stdout, result.stderr]) {
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(OTHER);
    expect(text).not.toContain(headers['x-together-signature']);
  }
  return { ...result, expected: headers['x-together-signature'] };
}

describe('verify', () => {
  it('a good delivery: exit 0, the event and its age', async () => {
    const result = await verify(BODY, { args: ['--secret', SECRET], timestamp: now() - 5 });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^✓ verified: fine_tune\.completed evt_v1 \(signed [5-9] s ago\)\n$/);
    expect(result.stderr).toBe('');
  });

  it('a trailing newline added after signing', async () => {
    const result = await verify(BODY, { received: `${BODY}\n`, args: ['--secret', SECRET] });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✗ not verified: signature_mismatch \(a receiver answers 401\)$/m);
    expect(result.stdout).toMatch(/^ {2}failed check: signature: /m);
    expect(result.stdout).toMatch(/^ {2}likely cause: the body differs from the one that was signed only by a trailing newline/m);
    expect(result.stderr).toBe('together-webhooks verify: the delivery does not verify: signature_mismatch\n');
  });

  it('JSON re-formatting: pretty-printed after being signed compact', async () => {
    const result = await verify(BODY, { received: JSON.stringify(JSON.parse(BODY), null, 2), args: ['--secret', SECRET] });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/likely cause: the body was re-formatted after signing: it was signed as compact JSON/);
  });

  it('JSON re-formatting: compacted after being signed pretty', async () => {
    const pretty = JSON.stringify(JSON.parse(BODY), null, 2);
    const result = await verify(pretty, { received: BODY, args: ['--secret', SECRET] });
    expect(result.stdout).toMatch(/likely cause: the body was re-formatted after signing: it was signed as JSON indented with 2 spaces/);
  });

  it('CRLF line endings', async () => {
    const pretty = JSON.stringify(JSON.parse(BODY), null, 2);
    const result = await verify(pretty, { received: pretty.replace(/\n/g, '\r\n'), args: ['--secret', SECRET] });
    expect(result.stdout).toMatch(/likely cause: the body was signed with LF line endings and now has CRLF/);
  });

  it('a secret with whitespace: the trimmed secret verifies', async () => {
    const result = await verify(BODY, { args: ['--secret', `${SECRET} `] });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ not verified: invalid_secret/);
    expect(result.stdout).toMatch(/likely cause: the secret has leading or trailing whitespace .* trim it; trimmed, it verifies this delivery/);
  });

  it('a clock 900 seconds off: the signature is valid, the delivery is stale, by how much', async () => {
    const result = await verify(BODY, { timestamp: 1_736_937_000, args: ['--secret', SECRET, '--now', '1736937900'] });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/not verified: timestamp_too_old/);
    expect(result.stdout).toMatch(/likely cause: the signature is valid, but it was made 900 s ago, 600 s beyond the 300 s replay window/);
    const future = await verify(BODY, { timestamp: now() + 3600, args: ['--secret', SECRET] });
    expect(future.stdout).toMatch(/its timestamp is 3[56]\d\d s in the future/);
  });

  it('--tolerance sets the window judged against', async () => {
    const result = await verify(BODY, { timestamp: now() - 120, args: ['--secret', SECRET, '--tolerance', '60'] });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/beyond the 60 s replay window/);
  });

  it('several secrets: says which one signed it, by index', async () => {
    const result = await verify(BODY, { secret: OTHER, args: ['--secret', SECRET, '--secret', OTHER] });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}signed with secret #2 of the 2 configured$/m);
    const stale = await verify(BODY, { secret: OTHER, timestamp: now() - 1000, args: ['--secret', SECRET, '--secret', OTHER] });
    expect(stale.stdout).toMatch(/the signature is valid \(made with secret #2\)/);
  });

  it('a header lost on the way', async () => {
    const result = await verify(BODY, { drop: 'x-together-signature', args: ['--secret', SECRET] });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/not verified: missing_signature/);
    expect(result.stdout).toMatch(/likely cause: the x-together-signature header is missing: a proxy, load balancer or framework/);
  });

  it('the wrong secret', async () => {
    const result = await verify(BODY, { secret: 'whsec_from_staging', args: ['--secret', SECRET] });
    expect(result.stdout).toMatch(/likely cause: the secret does not sign this body, nor any usual re-formatting of it/);
  });

  it('--json: the diagnosis, parseable, same exit code', async () => {
    const result = await verify(BODY, { received: `${BODY}\n`, args: ['--secret', SECRET, '--json'] });
    expect(result.code).toBe(1);
    const diagnosis = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(diagnosis).toMatchObject({
      ok: false,
      code: 'signature_mismatch',
      status: 401,
      causes: [{ kind: 'body_changed', change: 'trailing_newline_added', secret: 0 }],
    });
    // No secret signs the body as received.
    expect(diagnosis).not.toHaveProperty('secret');
    const good = await verify(BODY, { args: ['--secret', SECRET, '--json'] });
    expect(JSON.parse(good.stdout)).toMatchObject({ ok: true, event: { id: 'evt_v1', type: 'fine_tune.completed' }, secret: 0 });
  });

  it('headers from a file (what sign prints, or curl -D output), body from stdin, secret from the environment', async () => {
    const headers = sign(BODY, { secret: SECRET });
    const file = join(dir, 'headers.txt');
    await writeFile(file, `HTTP/1.1 200 OK\r\nx-together-signature: ${headers['x-together-signature']}\r\nX-Together-Timestamp:  ${headers['x-together-timestamp']}\r\n\r\n`);
    const result = await run(['verify', '--body', '-', '--headers', file], { stdin: BODY, env: { TOGETHER_WEBHOOK_SECRET: SECRET } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/✓ verified/);
  });
});
