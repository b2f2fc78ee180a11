/**
 * Node, both builds, as users load them: ESM import and CJS require of the package (the `node`
 * condition: node:crypto), and the `/portable` subpath (@noble/hashes).
 */
import { describe, expect, it } from 'vitest';
import { expectAgreement, expectConformance, logRow, nodeSignedDelivery, parseReport, run, type Build } from './support.js';

describe.each([
  { how: 'ESM import', entry: 'harness/cli.mjs', build: 'node:crypto', file: /dist\/node\/index\.js$/ },
  { how: 'CJS require', entry: 'harness/cli.cjs', build: 'node:crypto', file: /dist\/node\/index\.cjs$/ },
  { how: 'ESM import of /portable', entry: 'harness/cli-portable.mjs', build: '@noble/hashes', file: /dist\/portable\/index\.js$/ },
] satisfies { how: string; entry: string; build: Build; file: RegExp }[])('Node $how', ({ how, entry, build, file }) => {
  it(`selects the ${build} build, passes every vector and agrees with Node's node:crypto build`, async () => {
    const fromNode = nodeSignedDelivery('node');
    const report = parseReport(await run(process.execPath, [entry, JSON.stringify(fromNode)], { timeoutMs: 30_000 }));
    expect(report.resolved).toMatch(file);
    expectConformance(report, build, 'node');
    await expectAgreement(report, fromNode);
    logRow(`Node (${how})`, process.versions.node, report);
  });
});
