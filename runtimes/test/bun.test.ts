/**
 * Bun, importing the package from node_modules by name. Bun resolves `exports` with the
 * conditions bun, node, import (never worker or browser), so it gets the node:crypto build.
 */
import { describe, expect, it } from 'vitest';
import {
  expectAgreement,
  expectConformance,
  isCI,
  logRow,
  missing,
  nodeSignedDelivery,
  packageBinary,
  parseReport,
  run,
} from './support.js';

const bun = packageBinary('bun');
// No telemetry or crash upload, no auto-install: the run touches nothing but its own files.
const env = { ...process.env, DO_NOT_TRACK: '1', BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0' };

describe.skipIf(!bun && !isCI)('Bun', () => {
  it('selects the node:crypto build, passes every vector and agrees with Node', async () => {
    if (!bun) throw missing('bun', 'pnpm install in runtimes/ with bun in onlyBuiltDependencies');
    const version = (await run(bun, ['--version'], { env })).stdout.trim();
    const fromNode = nodeSignedDelivery('bun');
    const report = parseReport(await run(bun, ['--no-install', 'harness/cli.mjs', JSON.stringify(fromNode)], { env, timeoutMs: 30_000 }));
    expect(report.runtime.version).toBe(version);
    expect(report.resolved).toMatch(/packages\/core\/dist\/node\/index\.js$/);
    expectConformance(report, 'node:crypto', 'bun');
    await expectAgreement(report, fromNode);
    logRow('Bun', version, report);
  });
});
