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
import { cryptoBackend, sign, verify } from '@x/together-webhooks-core';

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

/** A delivery Node signs for another runtime to verify, plus a copy with one byte changed. */
export function nodeSignedDelivery(runtime: string): FromNode {
  const body = Buffer.from(
    JSON.stringify({
      id: `evt_from_node_for_${runtime}`,
      type: 'fine_tune.completed',
      created: new Date().toISOString(),
      data: { id: 'ft-from-node', status: 'completed', note: 'signé par Node — 节点' },
    }),
    'utf8',
  );
  const tampered = Buffer.from(body);
  const flipped = tampered.length - 3;
  tampered[flipped] = tampered[flipped]! ^ 1;
  return {
    bodyBase64: body.toString('base64'),
    tamperedBodyBase64: tampered.toString('base64'),
    headers: sign(body, { secret: CROSS_SECRET }),
  };
}

export const CROSS_SECRET = 'whsec_cross_runtime_agreement';

export interface FromNode {
  bodyBase64: string;
  tamperedBodyBase64: string;
  headers: Record<string, string>;
}

interface VerifyOutcome {
  ok: boolean;
  id?: string;
  code?: string;
}

/** What harness/agreement.mjs returns from every runtime. */
export interface ConformanceReport {
  runtime: { name: string; version: string };
  cryptoBackend: Build;
  total: number;
  passed: number;
  failed: string[];
  results: { name: string; pass: boolean; ways?: string[]; problems?: string[] }[];
  signed: { body: string; headers: Record<string, string> };
  verifiedFromNode?: { authentic: VerifyOutcome; tampered: VerifyOutcome };
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

const vectorFile = JSON.parse(readFileSync(here('conformance/vectors.json'), 'utf8')) as { vectors: unknown[]; signVectors: unknown[] };
const expectedTotal = vectorFile.vectors.length + vectorFile.signVectors.length;

/**
 * Every vector passed, through every way of calling the core the runtime offers, with the build
 * the runtime was expected to select.
 */
export function expectConformance(report: ConformanceReport, build: Build, runtime: string): void {
  const failures = report.results.filter((result) => !result.pass);
  expect(failures, 'vectors that failed').toEqual([]);
  expect(report.runtime.name).toBe(runtime);
  expect(report.cryptoBackend).toBe(build);
  expect(report.total).toBe(expectedTotal);
  expect(report.passed).toBe(expectedTotal);
  // verify(Request) ran too: every runtime here has a Fetch Request.
  expect(report.results[0]!.ways).toContain('verify(Request)');
}

/** Both directions: the runtime's signature verifies in Node; Node's verifies in the runtime. */
export async function expectAgreement(report: ConformanceReport, fromNode: FromNode): Promise<void> {
  expect(cryptoBackend).toBe('node:crypto');
  const event = await verify({ body: report.signed.body, headers: report.signed.headers }, { secret: CROSS_SECRET });
  expect(event.id).toMatch(new RegExp(`^evt_cross_${report.runtime.name}_`));
  const bytes = Buffer.from(report.signed.body, 'utf8');
  await expect(verify({ body: bytes, headers: report.signed.headers }, { secret: CROSS_SECRET })).resolves.toMatchObject({ id: event.id });
  const sent = JSON.parse(Buffer.from(fromNode.bodyBase64, 'base64').toString('utf8')) as { id: string };
  expect(report.verifiedFromNode?.authentic).toMatchObject({ ok: true, id: sent.id });
  expect(report.verifiedFromNode?.tampered).toEqual({ ok: false, code: 'signature_mismatch' });
}

/** One line per runtime for the README's table. */
export function logRow(runtime: string, version: string, report: ConformanceReport): void {
  const signOk = report.results.filter((result) => result.name.startsWith('sign:')).every((result) => result.pass);
  console.log(
    `| ${runtime} | ${version} | ${report.cryptoBackend} | ${report.passed}/${report.total} vectors | sign ${signOk ? 'yes' : 'NO'} |`,
  );
}

/** The version field of an installed package's package.json. */
export function packageVersion(packageJsonPath: string): string {
  return (JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version: string }).version;
}
