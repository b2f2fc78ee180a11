/**
 * Deno 2, importing the package by name from node_modules (package.json present, so Deno uses
 * the node_modules directory). Deno resolves `exports` with the conditions deno, node, import,
 * so it gets the node:crypto build through its node:crypto compatibility layer.
 */
import { describe, expect, it } from 'vitest';
import {
  expectAgreement,
  expectConformance,
  here,
  isCI,
  logRow,
  missing,
  nodeSignedDelivery,
  packageBinary,
  parseReport,
  run,
  tempDir,
} from './support.js';

const deno = packageBinary('deno');
// Reading node_modules is the only permission: no network, no writes, no env, no subprocesses.
const permissions = [
  '--no-prompt',
  '--no-lock',
  `--allow-read=${here('node_modules')}`,
  '--deny-net',
  '--deny-write',
  '--deny-env',
  '--deny-run',
  '--deny-ffi',
  '--deny-sys',
];

describe.skipIf(!deno && !isCI)('Deno', () => {
  it('selects the node:crypto build with read access to node_modules only, passes every vector and agrees with Node', async () => {
    if (!deno) throw missing('deno', 'pnpm install in runtimes/ with deno in onlyBuiltDependencies');
    const fromNode = nodeSignedDelivery('deno');
    // A fresh DENO_DIR: no cache from earlier runs, no update check.
    const cache = tempDir('deno-dir');
    const env = { ...process.env, DENO_DIR: cache.path, DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', NO_COLOR: '1' };
    const result = await run(deno, ['run', ...permissions, 'harness/cli.mjs', JSON.stringify(fromNode)], { env, timeoutMs: 60_000 }).finally(
      cache.remove,
    );
    const report = parseReport(result);
    expect(report.resolved).toMatch(/packages\/core\/dist\/node\/index\.js$/);
    expectConformance(report, 'node:crypto', 'deno');
    await expectAgreement(report, fromNode);
    logRow('Deno', report.runtime.version, report);
  });
});
