/**
 * Vercel's edge runtime (@edge-runtime/vm, the VM `next dev` runs edge routes in): the app is
 * bundled with the edge conditions (edge-light, worker, browser), so it gets the portable build,
 * and runs without Buffer, process or require.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { EdgeVM } from '@edge-runtime/vm';
import { describe, expect, it } from 'vitest';
import { bundle, expectAgreement, expectConformance, logRow, nodeSignedDelivery, packageVersion, type ConformanceReport } from './support.js';

const vmPackageJson = join(dirname(dirname(createRequire(import.meta.url).resolve('@edge-runtime/vm'))), 'package.json');

describe('Vercel edge runtime (@edge-runtime/vm)', () => {
  it('has no Node globals, selects the portable build, passes every vector and agrees with Node', async () => {
    const code = await bundle('harness/edge.mjs', {
      format: 'iife',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      conditions: ['edge-light', 'worker', 'browser'],
    });
    const vm = new EdgeVM();
    expect(vm.evaluate('[typeof Buffer, typeof process, typeof require, typeof EdgeRuntime]')).toEqual([
      'undefined',
      'undefined',
      'undefined',
      'string',
    ]);
    vm.evaluate(code);
    const fromNode = nodeSignedDelivery('edge-runtime');
    const output = await vm.evaluate<Promise<string>>(`__togetherConformance(${JSON.stringify(JSON.stringify(fromNode))})`);
    const report = JSON.parse(output) as ConformanceReport;
    expectConformance(report, '@noble/hashes', 'edge-runtime');
    await expectAgreement(report, fromNode);
    logRow('Vercel edge runtime', `@edge-runtime/vm ${packageVersion(vmPackageJson)}`, report);
  });
});
