/**
 * @module support — what every runtime test shares: bundling as each platform's tooling does, and
 * the assertions on a conformance report (every vector passed, the expected build, cross-runtime
 * agreement with Node). Where the runtimes' binaries are, skipping loudly when one is missing,
 * children with deadlines and free ports come from the test-support package and are re-exported.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { expect } from 'vitest';
import { cryptoBackend, sign, standardWebhooksScheme, verify } from '@x/together-webhooks-core';
import { runtimesDir, type ChildResult } from '@x/together-webhooks-test-support/runtimes';

// Children, binaries, skips and ports are shared with the adapters' runtime tests.
export {
  executable,
  isCI,
  missing,
  packageBinary,
  run,
  runtimesDir,
  skipWithout,
  stop,
  tempDir,
  type ChildResult,
} from '@x/together-webhooks-test-support/runtimes';
export { freePort } from '@x/together-webhooks-test-support';

export const here = (path: string) => join(runtimesDir, path);

export type Build = 'node:crypto' | '@noble/hashes';

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
