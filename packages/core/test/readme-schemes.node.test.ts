/**
 * The README's scheme and router examples, exactly as written, run by Node against the build
 * (`pnpm --filter @x/together-webhooks-core build`): each block is stripped of its types, written
 * under `.tmp/`, and imported by name as a user's app would (the package resolves itself).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign, standardWebhooksScheme, verifySync } from '@x/together-webhooks-core';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
// A folder of its own per run: the core-node and core-portable projects may run this file at once.
let workDir = '';
const readme = readFileSync(`${packageDir}README.md`, 'utf8');

/** The block under `<!-- marker -->`; fails the test when the README lost it. */
function block(marker: string, language: string): string {
  const code = new RegExp(`<!-- ${marker} -->\\s*\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];
  if (code === undefined) throw new Error(`README.md has no ${language} block under <!-- ${marker} -->`);
  return code;
}

/** A string constant the block defines, such as a secret it uses. */
function constant(code: string, name: string): string {
  const value = new RegExp(`const ${name} = '([^']+)'`).exec(code)?.[1];
  if (value === undefined) throw new Error(`the block defines no const ${name}`);
  return value;
}

// The child prints the example's own output, then one line with its exports (results reduced to
// what a test compares; the receiver and router objects left out).
const RUNNER = `const example = await import(process.argv[2]);
const plain = (value) =>
  value && typeof value === 'object' && 'outcome' in value && 'status' in value
    ? { status: value.status, outcome: value.outcome, body: value.body, eventId: value.event?.id }
    : value;
const exported = Object.entries(example).filter(([, value]) => typeof value?.dispatch !== 'function');
console.log('@@exports ' + JSON.stringify(Object.fromEntries(exported.map(([name, value]) => [name, plain(value)]))));
`;

/** Runs the README block under `marker` in a Node child; its printed lines and its exports. */
async function runExample(marker: string): Promise<{ lines: string[]; exports: Record<string, unknown> }> {
  const { code } = await transform(block(marker, 'ts'), { loader: 'ts', format: 'esm' });
  const file = `${workDir}${marker}.mjs`;
  writeFileSync(file, code);
  const { stdout } = await promisify(execFile)(process.execPath, [`${workDir}run.mjs`, file], { cwd: workDir, timeout: 20_000 });
  const lines = stdout.trimEnd().split('\n');
  const last = lines.pop() ?? '';
  expect(last.startsWith('@@exports ')).toBe(true);
  return { lines, exports: JSON.parse(last.slice('@@exports '.length)) as Record<string, unknown> };
}

// An ISO 8601 time, such as the `created` the examples set to now.
const isoTime = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/) as string;

// The official Standard Webhooks library, for the interop example and the checks below: the
// core's own dev dependency where it is installed, else the copy the repository's benchmarks use.
const officialRequire = [new URL('../package.json', import.meta.url), new URL('../../../bench/package.json', import.meta.url)]
  .map((from) => createRequire(fileURLToPath(from)))
  .find((require) => {
    try {
      require.resolve('standardwebhooks/package.json');
      return true;
    } catch {
      return false;
    }
  });
if (!officialRequire) throw new Error('the standardwebhooks package is not installed: run pnpm install');
const officialDir = dirname(officialRequire.resolve('standardwebhooks/package.json'));
const { Webhook } = officialRequire('standardwebhooks') as {
  Webhook: new (secret: string) => { verify(payload: string, headers: Record<string, string>): unknown };
};

beforeAll(() => {
  if (!existsSync(`${packageDir}dist/node/index.js`)) {
    throw new Error('the core is not built: run pnpm --filter @x/together-webhooks-core build');
  }
  mkdirSync(`${packageDir}.tmp`, { recursive: true });
  workDir = `${mkdtempSync(`${packageDir}.tmp/readme-schemes-`)}/`;
  mkdirSync(`${workDir}node_modules`);
  symlinkSync(officialDir, `${workDir}node_modules/standardwebhooks`, 'dir');
  writeFileSync(`${workDir}run.mjs`, RUNNER);
});

afterAll(() => {
  if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
});

describe('README: signature schemes (against the build)', () => {
  // The command is run as written; its secret is checked in this process (the project's build).
  it('makes a whsec_ secret that the Standard Webhooks scheme accepts', () => {
    const secret = execFileSync('sh', ['-c', block('whsec-command', 'sh')], { encoding: 'utf8' }).trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const scheme = standardWebhooksScheme();
    const body = '{"type":"batch.completed","timestamp":"2025-01-15T10:30:00Z","data":{}}';
    const headers = sign(body, { secret, scheme, id: 'msg_1' });
    expect(verifySync({ body, headers }, { secret, scheme }).id).toBe('msg_1');
  });

  it('runs the Standard Webhooks receiver in a rotation: processed, duplicate, missing_id', async () => {
    const { lines, exports } = await runExample('schemes-example');
    const id = 'batch:batch-7f3e:COMPLETED';
    expect(exports.first).toEqual({ status: 200, outcome: 'processed', body: { ok: true, outcome: 'processed', id }, eventId: id });
    expect(exports.again).toEqual({ status: 200, outcome: 'duplicate', body: { ok: true, outcome: 'duplicate', id }, eventId: id });
    expect(exports.noId).toMatchObject({ status: 401, outcome: 'rejected', body: { ok: false, outcome: 'rejected', error: 'missing_id' } });
    expect(lines).toEqual([
      'batch done: batch-7f3e',
      expect.stringMatching(/^200 processed batch:batch-7f3e:COMPLETED \d+\.\d ms$/),
      expect.stringMatching(/^200 duplicate batch:batch-7f3e:COMPLETED \d+\.\d ms$/),
      expect.stringMatching(/^401 rejected missing_id \d+\.\d ms$/),
    ]);

    // The headers are what the comment says, and each secret alone verifies them with the
    // official library: a receiver on either side of the rotation accepts the delivery.
    const headers = exports.headers as Record<string, string>;
    const body = exports.body as string;
    expect(Object.keys(headers).sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    expect(headers['webhook-id']).toBe(id);
    expect(headers['webhook-timestamp']).toMatch(/^\d+$/);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=* v1,[A-Za-z0-9+/]+=*$/);
    expect(JSON.parse(body)).toEqual({ type: 'batch.completed', data: { id: 'batch-7f3e', status: 'COMPLETED' }, timestamp: isoTime });
    const code = block('schemes-example', 'ts');
    for (const name of ['oldSecret', 'newSecret']) {
      expect(new Webhook(constant(code, name)).verify(body, headers), name).toEqual(JSON.parse(body));
    }
  });

  it('runs the interop example with the official standardwebhooks library, both ways', async () => {
    const { lines, exports } = await runExample('schemes-interop-example');
    expect(lines).toEqual([]);
    expect(exports.payload).toEqual({
      type: 'fine_tune.completed',
      data: { id: 'ft-42', status: 'completed' },
      timestamp: isoTime,
    });
    expect(exports.event).toEqual({
      id: 'msg_2b7Rk0cXhUvqAd5Lb8zK',
      type: 'fine_tune.completed',
      created: isoTime,
      data: { id: 'ft-42', status: 'completed' },
    });
  });
});

describe('README: createEventRouter and onResult (against the build)', () => {
  it('runs the queue-worker example: processed once, then duplicate, each answer told to onResult', async () => {
    const { lines, exports } = await runExample('router-example');
    const id = 'fine_tune:ft-42:completed';
    expect(exports.first).toEqual({ status: 200, outcome: 'processed', body: { ok: true, outcome: 'processed', id }, eventId: id });
    expect(exports.again).toEqual({ status: 200, outcome: 'duplicate', body: { ok: true, outcome: 'duplicate', id }, eventId: id });
    expect(lines).toEqual([
      'model ready: acme/support-bot',
      expect.stringMatching(/^processed fine_tune:ft-42:completed \d+\.\d ms$/),
      expect.stringMatching(/^duplicate fine_tune:ft-42:completed \d+\.\d ms$/),
    ]);
  });
});
