import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sign, standardWebhooksScheme, togetherScheme, type WebhookScheme } from '@x/together-webhooks-core';
import { beforeAll, describe, it } from 'vitest';
import { run, SECRET, STANDARD_SECRET, type RunResult, tempDir } from './helpers.js';

const EVENT = { id: 'evt_v1', type: 'fine_tune.completed', created: '2025-01-15T10:30:00Z', data: { id: 'ft-1', status: 'completed' } };
const now = () => Math.floor(Date.now() / 1000);
let dir: string;

beforeAll(async () => {
  dir = await tempDir('tw-verify-');
});

/** One scheme, as `verify --scheme` takes it, with its secrets and its body for EVENT. */
interface SchemeCase {
  name: 'together' | 'standard';
  scheme: WebhookScheme;
  secret: string;
  other: string;
  body: string;
  args: string[];
}

const SCHEMES: SchemeCase[] = [
  { name: 'together', scheme: togetherScheme(), secret: SECRET, other: 'whsec_cli_previous_Kd83hQ', body: togetherScheme().encode(EVENT), args: [] },
  {
    name: 'standard',
    scheme: standardWebhooksScheme(),
    secret: STANDARD_SECRET,
    other: `whsec_${Buffer.from('the previous key, being rotated').toString('base64')}`,
    body: standardWebhooksScheme().encode(EVENT),
    args: ['--scheme', 'standard'],
  },
];
const [together] = SCHEMES;

interface VerifyOptions {
  received?: string;
  secret?: string;
  timestamp?: number;
  args?: string[];
  drop?: string;
}

/**
 * Writes `received` as the body file and runs verify with the headers of a delivery signed over
 * `signed`; `leaks` lists what it printed that it never may (a secret, a key, the signature).
 */
async function verify(
  s: SchemeCase,
  signed: string,
  { received = signed, secret = s.secret, timestamp = now(), args = [], drop = '' }: VerifyOptions = {},
): Promise<RunResult & { leaks: string[] }> {
  const headers: Record<string, string> = sign(signed, { secret, timestamp, scheme: s.scheme, id: EVENT.id });
  const file = join(dir, `body-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, received);
  const headerArgs = Object.entries(headers)
    .filter(([name]) => name !== drop)
    .flatMap(([name, value]) => ['--header', `${name}: ${value}`]);
  const result = await run(['verify', '--body', file, ...headerArgs, ...s.args, ...args]);
  const signature = Object.entries(headers).find(([name]) => name.endsWith('-signature'))![1];
  const secrets = [s.secret, s.other].flatMap((value) => [value, value.replace(/^whsec_/, '')]);
  const never = [...secrets, ...signature.split(/[ ,]/).filter((entry) => entry.length > 2)];
  return { ...result, leaks: never.filter((value) => result.stdout.includes(value) || result.stderr.includes(value)) };
}

const crlf = (text: string) => text.replace(/\n/g, '\r\n');
const pretty = (text: string) => JSON.stringify(JSON.parse(text), null, 2);

// Every run is its own process: the tests run concurrently, each with its own `expect`.
describe.concurrent.each(SCHEMES)('verify --scheme $name', (s) => {
  const secret = ['--secret', s.secret];
  const failures: [string, VerifyOptions & { signed?: string }, RegExp, RegExp][] = [
    ['a trailing newline added after signing', { received: `${s.body}\n`, args: secret }, /^✗ not verified: signature_mismatch \(a receiver answers 401\)$/m, /^ {2}likely cause: the body differs from the one that was signed only by a trailing newline/m],
    ['an indented body converted to CRLF', { signed: pretty(s.body), received: crlf(pretty(s.body)), args: secret }, /not verified: signature_mismatch/, /^ {2}likely cause: the body was signed with LF line endings and now has CRLF/m],
    ['a secret with whitespace: the trimmed secret verifies', { args: ['--secret', `${s.secret} `] }, /✗ not verified: invalid_secret/, /likely cause: the secret has leading or trailing whitespace .* trim it; trimmed, it verifies this delivery/],
    ['a clock 900 seconds off', { timestamp: 1_736_937_000, args: [...secret, '--now', '1736937900'] }, /not verified: timestamp_too_old/, /likely cause: the signature is valid, but it was made 900 s ago, 600 s beyond the 300 s replay window/],
    ['signed an hour in the future', { timestamp: now() + 3600, args: secret }, /not verified: timestamp_in_future/, /its timestamp is 3[56]\d\d s in the future/],
    ['the signature header lost on the way', { drop: s.scheme.headerNames.find((name) => name.endsWith('-signature'))!, args: secret }, /not verified: missing_signature/, /likely cause: the \S+-signature header is missing: a proxy, load balancer or framework/],
    ['the wrong secret', { secret: s.other, args: secret }, /not verified: signature_mismatch/, /likely cause: the secret does not sign this body, nor any usual re-formatting of it/],
  ];

  it('a good delivery: exit 0, the event and its age', async ({ expect }) => {
    const result = await verify(s, s.body, { args: secret, timestamp: now() - 5 });
    expect(result).toMatchObject({ code: 0, stderr: '', leaks: [] });
    expect(result.stdout).toMatch(/^✓ verified: fine_tune\.completed evt_v1 \(signed [5-9] s ago\)\n$/);
  });

  it.for(failures)('%s: exit 1, the failed check and the likely cause', async ([, { signed = s.body, ...options }, verdict, likely], { expect }) => {
    const result = await verify(s, signed, options);
    expect(result).toMatchObject({ code: 1, leaks: [] });
    expect(result.stdout).toMatch(verdict);
    expect(result.stdout).toMatch(/^ {2}failed check: /m);
    expect(result.stdout).toMatch(likely);
    expect(result.stderr).toMatch(/^together-webhooks verify: the delivery does not verify: \w+\n$/);
  });

  it('several secrets: says which one signed it, by index', async ({ expect }) => {
    const both = ['--secret', s.secret, '--secret', s.other];
    const [result, stale] = await Promise.all([
      verify(s, s.body, { secret: s.other, args: both }),
      verify(s, s.body, { secret: s.other, timestamp: now() - 1000, args: both }),
    ]);
    expect(result).toMatchObject({ code: 0, leaks: [] });
    expect(result.stdout).toMatch(/^ {2}signed with secret #2 of the 2 configured$/m);
    expect(stale).toMatchObject({ code: 1, leaks: [] });
    expect(stale.stdout).toMatch(/the signature is valid \(made with secret #2\)/);
  });

  it('--json: the diagnosis with its scheme, parseable, same exit code', async ({ expect }) => {
    const [result, good] = await Promise.all([
      verify(s, s.body, { received: `${s.body}\n`, args: [...secret, '--json'] }),
      verify(s, s.body, { args: [...secret, '--json'] }),
    ]);
    expect(result).toMatchObject({ code: 1, leaks: [] });
    const diagnosis = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(diagnosis).toMatchObject({ ok: false, scheme: s.name, code: 'signature_mismatch', status: 401, causes: [{ kind: 'body_changed', change: 'trailing_newline_added', secret: 0 }] });
    // No secret signs the body as received.
    expect(diagnosis).not.toHaveProperty('secret');
    expect(good).toMatchObject({ code: 0, leaks: [] });
    expect(JSON.parse(good.stdout)).toEqual({ ok: true, scheme: s.name, event: { id: 'evt_v1', type: 'fine_tune.completed' }, secret: 0, ageSeconds: expect.any(Number) as number, causes: [] });
  });
});

describe.concurrent('verify: what one scheme gets wrong about the other', () => {
  const [, standard] = SCHEMES as [SchemeCase, SchemeCase];

  it('a Standard Webhooks delivery verified with the default scheme: says to pass --scheme standard', async ({ expect }) => {
    const result = await verify(standard, standard.body, { args: ['--scheme', 'together', '--secret', standard.secret] });
    expect(result).toMatchObject({ code: 1, leaks: [] });
    expect(result.stdout).toMatch(/not verified: missing_signature/);
    expect(result.stdout).toMatch(/likely cause: this delivery carries webhook-signature, not x-together-signature: .*verify it with --scheme standard$/m);
  });

  it('--scheme standard with a secret that is not whsec_ base64: diagnosed, not a usage error', async ({ expect }) => {
    const result = await verify(standard, standard.body, { args: ['--secret', together!.secret] });
    expect(result).toMatchObject({ code: 1, leaks: [] });
    expect(result.stdout).toMatch(/✗ not verified: invalid_secret/);
    expect(result.stdout).toMatch(/likely cause: the secret is not a Standard Webhooks secret: whsec_ followed by base64/);
  });
});

describe.concurrent('verify (together): more body changes and options', () => {
  const s = together!;
  const secret = ['--secret', s.secret];

  it('JSON re-formatting, both ways', async ({ expect }) => {
    const [expanded, compacted] = await Promise.all([
      verify(s, s.body, { received: pretty(s.body), args: secret }),
      verify(s, pretty(s.body), { received: s.body, args: secret }),
    ]);
    expect([expanded.leaks, compacted.leaks]).toEqual([[], []]);
    expect(expanded.stdout).toMatch(/likely cause: the body was re-formatted after signing: it was signed as compact JSON/);
    expect(compacted.stdout).toMatch(/likely cause: the body was re-formatted after signing: it was signed as JSON indented with 2 spaces/);
  });

  it('--tolerance sets the window judged against', async ({ expect }) => {
    const result = await verify(s, s.body, { timestamp: now() - 120, args: [...secret, '--tolerance', '60'] });
    expect(result).toMatchObject({ code: 1, leaks: [] });
    expect(result.stdout).toMatch(/beyond the 60 s replay window/);
  });

  it('headers from a file (what sign prints, or curl -D output), body from stdin, secret from the environment', async ({ expect }) => {
    const headers = sign(s.body, { secret: s.secret });
    const file = join(dir, 'headers.txt');
    await writeFile(file, `HTTP/1.1 200 OK\r\nx-together-signature: ${headers['x-together-signature']}\r\nX-Together-Timestamp:  ${headers['x-together-timestamp']}\r\n\r\n`);
    const result = await run(['verify', '--body', '-', '--headers', file], { stdin: s.body, env: { TOGETHER_WEBHOOK_SECRET: s.secret } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/✓ verified/);
  });
});
