/**
 * `pnpm bench` (after `pnpm build`): verification throughput against the floor and peers, bundle
 * sizes, each against its budget from spec section 9; then every extra section other packages
 * add as `<dir>/bench/*.bench.mjs`. Prints numbers; asserts nothing (budgets are judged by people
 * reading one run, not by CI on a shared machine).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundles, bundleSize } from './lib/bundle-size.mjs';
import { measure, pairedRatio } from './lib/measure.mjs';
import { eventBody } from './lib/payloads.mjs';
import { verificationCases } from './lib/verification.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick');

async function loadBuilds() {
  try {
    const node = await import('@x/together-webhooks-core');
    const portable = await import('@x/together-webhooks-core/portable');
    if (node.cryptoBackend !== 'node:crypto' || portable.cryptoBackend !== '@noble/hashes') {
      throw new Error(`unexpected builds: ${node.cryptoBackend} and ${portable.cryptoBackend}`);
    }
    return { node, portable };
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' || error?.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
      console.error(`bench: the core is not built; run \`pnpm build\` first (${error.message})`);
      process.exit(1);
    }
    throw error;
  }
}

// Budgets of spec section 9: [case, size, reference, most allowed ratio].
const budgets = [
  ['verifySync (node)', '1 KiB', 'floor-node+parse', 1.15],
  ['signature check alone (node)', '1 KiB', 'floor-node', 1.3],
  ['verifySync (node)', '256 KiB', 'floor-node+parse', 1.1],
  ['rejected, bad signature (node)', '1 KiB', 'floor-node', 2],
  ['verifySync (portable)', '1 KiB', 'floor-noble', 1.2],
  // Standard Webhooks (spec section 9): within 15% of its own floor, and at least 3x faster than
  // the standardwebhooks package on the same delivery.
  ['verifySync standard (node)', '1 KiB', 'floor-standard+parse', 1.15],
  ['verifySync standard (node)', '1 KiB', 'standardwebhooks verify', 1 / 3],
];

// Which extra reference each of our cases is also compared with.
const secondReference = {
  'verifySync (node)': 'floor-node+parse',
  'verify() on {body,headers} (node)': 'floor-node+parse',
  'verifySync (portable)': 'floor-noble',
  'stripe constructEvent': 'floor-node+parse',
  'standardwebhooks verify': 'floor-node+parse',
  'svix verify': 'floor-node+parse',
  'verifySync standard (node)': 'standardwebhooks verify',
  'rejected standard (node)': 'standardwebhooks rejected',
};

const pad = (value, width) => String(value).padEnd(width);
const padLeft = (value, width) => String(value).padStart(width);
const formatHz = (hz) => Math.round(hz).toLocaleString('en-US');

// "signature check alone" is derived per round: verifySync's time minus what the floor spends on
// the same parse (floor-node+parse - floor-node). Parsing inside a verification costs more than
// "parse alone" run by itself (caches, GC), so that difference, not parse alone, is subtracted.
// Everything else verifySync does (options, headers, size, hex, HMAC, compare, clock, envelope
// checks) is charged to the check.
const SIGNATURE_ALONE = 'signature check alone (node)';
const signatureAloneTime = (time) => time('verifySync (node)') - (time('floor-node+parse') - time('floor-node'));

/** Time of `name` over time of `reference`, paired by round. */
function ratio(results, name, reference) {
  const timeOf = name === SIGNATURE_ALONE ? signatureAloneTime : (time) => time(name);
  return pairedRatio(results, (time) => timeOf(time) / time(reference));
}

function printTable(size, results) {
  const rows = [];
  for (const [name, result] of results) {
    rows.push([name, result]);
    if (name === 'verifySync (node)') rows.push([SIGNATURE_ALONE, undefined]);
  }
  console.log(`\n${size} body`);
  console.log(`${pad('case', 36)}${padLeft('ops/sec', 12)}${padLeft('±', 6)}${padLeft('/floor-node', 13)}  ${pad('other reference', 30)}budget`);
  for (const [name, result] of rows) {
    const toFloor = ratio(results, name, 'floor-node');
    const other = secondReference[name];
    const otherRatio = other ? `${ratio(results, name, other).toFixed(2)}x ${other}` : '';
    const verdict = budgets
      .filter(([caseName, budgetSize]) => caseName === name && budgetSize === size)
      .map(([, , reference, most]) => {
        const value = ratio(results, name, reference);
        return `${value <= most ? 'PASS' : 'MISS'} ${value.toFixed(2)}x ${reference} (<= ${most.toFixed(2)}x)`;
      })
      .join('; ');
    const hz = result ? formatHz(result.hz) : `~${formatHz(results.get('floor-node').hz / toFloor)}`;
    const spread = result ? `${Math.round(result.spread * 100)}%` : '';
    console.log(
      `${pad(result ? name : `${name} *`, 36)}${padLeft(hz, 12)}${padLeft(spread, 6)}${padLeft(`${toFloor.toFixed(2)}x`, 13)}  ${pad(otherRatio, 30)}${verdict}`,
    );
  }
}

async function benchVerification(builds) {
  console.log('Verification throughput (Node', process.version, `${quick ? ', quick run' : ''})`);
  console.log('Method: every case warmed up, then', quick ? 7 : 21, 'interleaved rounds of ~30 ms (CPU time) batches; median ops per CPU-second;');
  console.log('± is the interquartile spread of the rounds. Ratios are time per op over the reference\'s, taken in each round');
  console.log('and then the median over rounds (paired, so load that changes between rounds cancels); 1.00x = as fast.');
  console.log('floor-node = createHmac(key).update(prefix).update(body).digest() + hex decode of the header + timingSafeEqual;');
  console.log('floor-node+parse adds JSON.parse(body.toString()); floor-noble = @noble/hashes HMAC over the same bytes.');
  console.log('* "signature check alone" is derived through the public API only: per round, verifySync (node) time minus the');
  console.log('  floor\'s parse time (floor-node+parse - floor-node); all of verifySync\'s other work stays in it. "authentic but');
  console.log('  stale" measures it directly, as an upper bound: the whole check, then a stackless timestamp_too_old throw.');
  for (const [size, bytes] of [
    ['1 KiB', 1024],
    ['256 KiB', 256 * 1024],
  ]) {
    const cases = await verificationCases(eventBody(bytes), builds);
    const results = await measure(cases, quick ? { rounds: 7, sampleMs: 15, warmupMs: 100 } : {});
    printTable(size, results);
  }
}

async function benchBundles() {
  console.log('\nBundle of an app that imports only `verify` (esbuild, minified, gzip -9)');
  for (const { name, contents, options, budgetKiB } of bundles) {
    const { minified, gzipped } = await bundleSize(contents, options);
    const kib = gzipped / 1024;
    const verdict = budgetKiB === undefined ? '' : `${kib <= budgetKiB ? 'PASS' : 'MISS'} (<= ${budgetKiB} KiB)`;
    console.log(`${pad(name, 52)}${padLeft(`${(minified / 1024).toFixed(2)} KiB min`, 15)}${padLeft(`${kib.toFixed(2)} KiB gz`, 14)}  ${verdict}`);
  }
}

/** Extra sections: `packages/*\/bench`, `runtimes/bench`, `examples/*\/bench`, each `*.bench.mjs`. */
function extraSections() {
  const dirs = [];
  for (const parent of ['packages', 'examples']) {
    const base = join(root, parent);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      if (entry.isDirectory()) dirs.push(join(base, entry.name, 'bench'));
    }
  }
  dirs.push(join(root, 'runtimes', 'bench'));
  const files = [];
  for (const dir of dirs.sort()) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) if (name.endsWith('.bench.mjs')) files.push(join(dir, name));
  }
  return files;
}

function runExtraSections() {
  const files = extraSections();
  if (files.length === 0) {
    console.log('\nNo extra bench sections (packages/*/bench, runtimes/bench, examples/*/bench *.bench.mjs).');
    return 0;
  }
  const failed = [];
  for (const file of files) {
    console.log(`\n== ${relative(root, file)}`);
    const { status, signal } = spawnSync(process.execPath, [file], { cwd: root, stdio: 'inherit' });
    if (status !== 0) {
      failed.push(relative(root, file));
      console.log(`== ${relative(root, file)} ended with ${signal ?? `exit code ${status}`}`);
    }
  }
  // A section's own budget miss or crash: named once more at the end, and the exit code says so.
  if (failed.length > 0) console.log(`\nSections that exited non-zero: ${failed.join(', ')}`);
  return failed.length;
}

const builds = await loadBuilds();
await benchVerification(builds);
await benchBundles();
const failedSections = runExtraSections();
if (failedSections > 0) process.exitCode = 1;
