/**
 * @module support — what every runtime test shares: where the runtimes' binaries are, what a test
 * does when a tool it needs is missing (skip loudly; fail under CI: the CLI's tests use this too),
 * running a child with a deadline, free loopback ports, bundling as each platform's tooling does,
 * and the assertions on a conformance report (every vector passed, the expected build,
 * cross-runtime agreement with Node).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { expect } from 'vitest';
import { cryptoBackend, sign, standardWebhooksScheme, verify } from '@x/together-webhooks-core';

export const runtimesDir = fileURLToPath(new URL('..', import.meta.url));
export const here = (path: string) => join(runtimesDir, path);

/** Under CI a test that needs a missing tool or runtime fails; on a workstation it is skipped, loudly. */
export const isCI = Boolean(process.env.CI);

/**
 * Whether to skip the tests that need `what`. Never under CI: they run, and fail with
 * {@link missing}. Elsewhere, when it is missing, says so on stderr (what is missing, which tests
 * are skipped, how to install it) and answers true.
 *
 * @param what - the tool or runtime, as a user would look for it (`/usr/bin/chromium`)
 * @param found - whether it is here
 * @param fix - how to install it (`apt-get install -y chromium`)
 * @param tests - the tests that need it, for the message
 * @returns true when the tests should be skipped
 * @example
 * ```ts
 * const fix = 'apt-get install -y chromium';
 * const skip = skipWithout('/usr/bin/chromium', chromiumPath !== undefined, fix, 'the Chromium tests');
 * describe.skipIf(skip)('Chromium', () => {
 *   beforeAll(() => {
 *     if (!chromiumPath) throw missing('/usr/bin/chromium', fix);
 *   });
 * });
 * ```
 */
export function skipWithout(what: string, found: boolean, fix: string, tests: string): boolean {
  if (found || isCI) return false;
  const rule = '*'.repeat(78);
  console.warn(`\n${rule}\n*  ${what} was not found: ${tests} are SKIPPED.\n*  Install it (${fix}) to run them; under CI they fail.\n${rule}\n`);
  return true;
}

export type Build = 'node:crypto' | '@noble/hashes';

// The native executables the packages' install scripts leave in place. Not node_modules/.bin:
// those shims run the binary as a child of sh or node, so stopping the shim would orphan it.
const nativeBinaries = { bun: 'bun/bin/bun.exe', deno: 'deno/deno', workerd: 'workerd/bin/workerd' } as const;

/**
 * The executable an npm package installed under runtimes/node_modules, or undefined when it is
 * missing (its install script did not run: pnpm runs only those in `onlyBuiltDependencies`);
 * then, outside CI, it says so on stderr ({@link skipWithout}), since the tests that need it skip.
 */
export function packageBinary(name: keyof typeof nativeBinaries): string | undefined {
  const path = executable(here(`node_modules/${nativeBinaries[name]}`));
  skipWithout(name, path !== undefined, `pnpm install in runtimes/ with ${name} in onlyBuiltDependencies`, `the ${name} tests`);
  return path;
}

/** The path, when it exists and can be executed. */
export function executable(path: string): string | undefined {
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

/** Why a tool or runtime is missing and how to get it, thrown under CI. */
export function missing(what: string, fix: string): Error {
  return new Error(`${what} is not available (${fix}); under CI a test that cannot run is a failure`);
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `together-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; kills it and rejects past `timeoutMs`. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ChildResult> {
  const { cwd = runtimesDir, env = process.env, timeoutMs = 60_000 } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} timed out after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Stops a long-running child: SIGTERM, then SIGKILL if it has not exited within 3 s. */
export async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for children that take a fixed port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Bundles `entry` into one ESM file in memory, as the platform's own tooling would. */
export async function bundle(entry: string, options: BuildOptions): Promise<string> {
  const result = await build({
    entryPoints: [here(entry)],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    logLevel: 'silent',
    absWorkingDir: runtimesDir,
    ...options,
  });
  return result.outputFiles![0]!.text;
}

/** The schemes every runtime is proven in; the names of `harness/agreement.mjs` and the vector files. */
export const SCHEMES = ['together', 'standard-webhooks'] as const;
export type SchemeName = (typeof SCHEMES)[number];

// The default scheme is used as most users use it, with no scheme option (as in run-vectors.mjs).
const schemeOptions = { together: {}, 'standard-webhooks': { scheme: standardWebhooksScheme() } } as const;

/** The secret both sides of the cross-runtime check share, by scheme (as in harness/agreement.mjs). */
export const CROSS_SECRETS: Record<SchemeName, string> = {
  together: 'whsec_cross_runtime_agreement',
  'standard-webhooks': 'whsec_hd/QSL71r4xRzF2Z5gtqxGQkBu1seiF4qOjMXqCqItY=',
};

/** One scheme's delivery from Node: the body (base64, so bytes are exact), a copy with one byte changed, the headers. */
export interface NodeDelivery {
  bodyBase64: string;
  tamperedBodyBase64: string;
  headers: Record<string, string>;
}

export type FromNode = Record<SchemeName, NodeDelivery>;

function withTampered(body: Buffer, headers: Record<string, string>): NodeDelivery {
  const tampered = Buffer.from(body);
  const flipped = tampered.length - 3;
  tampered[flipped] = tampered[flipped]! ^ 1;
  return { bodyBase64: body.toString('base64'), tamperedBodyBase64: tampered.toString('base64'), headers };
}

/** What Node sends `runtime` to verify, in each scheme. */
export function nodeSignedDelivery(runtime: string): FromNode {
  const created = new Date().toISOString();
  const data = { id: 'ft-from-node', status: 'completed', note: 'signé par Node — 节点' };
  const together = Buffer.from(JSON.stringify({ id: `evt_from_node_for_${runtime}`, type: 'fine_tune.completed', created, data }), 'utf8');
  const standard = Buffer.from(JSON.stringify({ type: 'fine_tune.completed', timestamp: created, data }), 'utf8');
  const { scheme } = schemeOptions['standard-webhooks'];
  return {
    together: withTampered(together, sign(together, { secret: CROSS_SECRETS.together })),
    'standard-webhooks': withTampered(standard, sign(standard, { secret: CROSS_SECRETS['standard-webhooks'], scheme, id: `msg_from_node_for_${runtime}` })),
  };
}

interface VerifyOutcome {
  ok: boolean;
  id?: string;
  type?: string;
  created?: string;
  data?: Record<string, unknown>;
  code?: string;
}

/** What harness/agreement.mjs returns from every runtime. */
export interface ConformanceReport {
  runtime: { name: string; version: string };
  cryptoBackend: Build;
  total: number;
  passed: number;
  failed: string[];
  results: { scheme: SchemeName; name: string; pass: boolean; ways?: string[]; problems?: string[] }[];
  signed: Record<SchemeName, { body: string; headers: Record<string, string> }>;
  verifiedFromNode?: Record<SchemeName, { authentic: VerifyOutcome; tampered: VerifyOutcome }>;
  resolved?: string;
}

/** The report a command-line harness printed: the last line of its stdout. */
export function parseReport(result: ChildResult): ConformanceReport {
  const line = result.stdout.trim().split('\n').pop() ?? '';
  if (result.code !== 0 || !line.startsWith('{')) {
    throw new Error(`harness exited with ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return JSON.parse(line) as ConformanceReport;
}

const vectorFiles = { together: 'conformance/vectors.json', 'standard-webhooks': 'conformance/standard-webhooks-vectors.json' } as const;
/** How many vectors (verification and sign) each scheme has. */
const expectedCounts = Object.fromEntries(
  SCHEMES.map((scheme) => {
    const file = JSON.parse(readFileSync(here(vectorFiles[scheme]), 'utf8')) as { vectors: unknown[]; signVectors: unknown[] };
    return [scheme, file.vectors.length + file.signVectors.length];
  }),
) as Record<SchemeName, number>;
const expectedTotal = SCHEMES.reduce((sum, scheme) => sum + expectedCounts[scheme], 0);

/**
 * Every vector of both schemes passed, through every way of calling the core the runtime offers,
 * with the build the runtime was expected to select.
 */
export function expectConformance(report: ConformanceReport, build: Build, runtime: string): void {
  const failures = report.results.filter((result) => !result.pass);
  expect(failures, 'vectors that failed').toEqual([]);
  expect(report.runtime.name).toBe(runtime);
  expect(report.cryptoBackend).toBe(build);
  for (const scheme of SCHEMES) expect(report.results.filter((result) => result.scheme === scheme), scheme).toHaveLength(expectedCounts[scheme]);
  expect(report.total).toBe(expectedTotal);
  expect(report.passed).toBe(expectedTotal);
  // verify(Request) ran too: every runtime here has a Fetch Request.
  expect(report.results[0]!.ways).toContain('verify(Request)');
}

/** In each scheme, both directions: the runtime's signature verifies in Node; Node's verifies in the runtime. */
export async function expectAgreement(report: ConformanceReport, fromNode: FromNode): Promise<void> {
  expect(cryptoBackend).toBe('node:crypto');
  for (const name of SCHEMES) {
    const options = { secret: CROSS_SECRETS[name], ...schemeOptions[name] };
    const { body, headers } = report.signed[name];
    const event = await verify({ body, headers }, options);
    expect(event.id, name).toMatch(new RegExp(`^(evt|msg)_cross_${report.runtime.name}_`));
    expect(event.data, name).toMatchObject({ id: `batch-${report.runtime.name}` });
    await expect(verify({ body: Buffer.from(body, 'utf8'), headers }, options)).resolves.toMatchObject({ id: event.id });
    const sent = JSON.parse(Buffer.from(fromNode[name].bodyBase64, 'base64').toString('utf8')) as { id?: string; created?: string; timestamp?: string };
    // Standard Webhooks: the id is the webhook-id header, `created` the payload's timestamp.
    const expected = name === 'together' ? { id: sent.id, created: sent.created } : { id: fromNode[name].headers['webhook-id'], created: sent.timestamp };
    expect(report.verifiedFromNode?.[name].authentic, name).toMatchObject({ ok: true, type: 'fine_tune.completed', ...expected });
    expect(report.verifiedFromNode?.[name].tampered, name).toEqual({ ok: false, code: 'signature_mismatch' });
  }
}

/** One line per runtime for the README's table. */
export function logRow(runtime: string, version: string, report: ConformanceReport): void {
  const counts = SCHEMES.map((scheme) => {
    const results = report.results.filter((result) => result.scheme === scheme);
    return `${scheme} ${results.filter((result) => result.pass).length}/${results.length}`;
  });
  const signOk = report.results.filter((result) => result.name.startsWith('sign:')).every((result) => result.pass);
  console.log(`| ${runtime} | ${version} | ${report.cryptoBackend} | ${counts.join(', ')} vectors | sign ${signOk ? 'yes' : 'NO'} |`);
}

/** The version field of an installed package's package.json. */
export function packageVersion(packageJsonPath: string): string {
  return (JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version: string }).version;
}
