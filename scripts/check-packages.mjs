/**
 * `pnpm check:packages` (after `pnpm build`): checks every publishable package the way a user
 * will receive it. Each non-private package under packages/ that has a dist/ is packed with
 * `pnpm pack` (which rewrites `workspace:` ranges, as `pnpm publish` does), then:
 *   - publint on the tarball, warnings counted as errors;
 *   - @arethetypeswrong/cli on the tarball, default profile: every resolution mode must be clean,
 *     node10 (TypeScript's `moduleResolution: node`) included. node10 cannot read `exports`, so a
 *     package with subpaths (such as `/testing`) maps them to their types with `typesVersions`;
 *   - the packed package.json's runtime `dependencies` against an allow-list (core: none at all).
 * Exits non-zero when any package has any problem.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);

// Runtime dependencies from outside the workspace each package may ship with (besides the
// workspace's own packages, which every package but the core may depend on).
const allowedDependencies = {
  '@x/together-webhooks-core': [],
  // The watcher polls Together's REST API through Together's SDK.
  '@x/together-webhooks-watch': ['together-ai'],
  // `watch --state redis://…` connects with ioredis: a command installed globally (npm i -g)
  // cannot count on a peer being there.
  '@x/together-webhooks-cli': ['ioredis'],
};
const isWorkspacePackage = (name) => name.startsWith('@x/together-webhooks-');

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status ?? 1, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

function packagesToCheck() {
  const dirs = [];
  for (const entry of readdirSync(join(root, 'packages'), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(root, 'packages', entry.name);
    const manifestPath = join(dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private) continue;
    if (!existsSync(join(dir, 'dist'))) {
      console.log(`- ${manifest.name}: no dist/, skipped (run pnpm build first)`);
      continue;
    }
    dirs.push({ dir, name: manifest.name });
  }
  return dirs.sort((a, b) => a.name.localeCompare(b.name));
}

function checkDependencies(name, manifest) {
  const problems = [];
  const allowed = allowedDependencies[name];
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    // The core has none at all; every other package may use the workspace's own and its list.
    const ok = isWorkspacePackage(dependency) ? name !== '@x/together-webhooks-core' : (allowed ?? []).includes(dependency);
    if (!ok) problems.push(`dependency ${dependency} is not allowed for ${name}`);
  }
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dependency, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith('workspace:')) problems.push(`${field}.${dependency} still reads ${range} once packed`);
    }
  }
  return problems;
}

function checkPackage({ dir, name }, scratch) {
  const problems = [];
  const packed = run('pnpm', ['pack', '--pack-destination', scratch], dir);
  const tarball = readdirSync(scratch).find((file) => file.endsWith('.tgz'));
  if (packed.status !== 0 || !tarball) return [`pnpm pack failed:\n${packed.output}`];
  const tarballPath = join(scratch, tarball);

  const extracted = run('tar', ['-xzf', tarballPath, '-C', scratch, 'package/package.json'], scratch);
  if (extracted.status !== 0) return [`could not read the packed package.json:\n${extracted.output}`];
  problems.push(...checkDependencies(name, JSON.parse(readFileSync(join(scratch, 'package', 'package.json'), 'utf8'))));

  const publint = run(bin('publint'), ['run', tarballPath, '--strict', '--level', 'suggestion'], dir);
  console.log(indent(publint.output));
  if (publint.status !== 0 || /^\s*(Errors|Warnings|Suggestions):/m.test(publint.output)) problems.push('publint reported problems');

  const attw = run(bin('attw'), [tarballPath, '--format', 'ascii', '--no-color', '--no-emoji'], dir);
  console.log(indent(attw.output));
  if (attw.status !== 0) problems.push('@arethetypeswrong/cli reported problems');
  return problems;
}

const indent = (text) => text.replace(/^/gm, '    ');

let failures = 0;
const packages = packagesToCheck();
if (packages.length === 0) {
  console.error('check-packages: no built package to check; run `pnpm build` first.');
  process.exit(1);
}
for (const entry of packages) {
  console.log(`\n== ${entry.name} (${relative(root, entry.dir)})`);
  const scratch = mkdtempSync(join(tmpdir(), 'check-packages-'));
  try {
    const problems = checkPackage(entry, scratch);
    if (problems.length === 0) console.log('  OK');
    for (const problem of problems) console.log(`  PROBLEM: ${problem}`);
    if (problems.length > 0) failures++;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
console.log(`\n${packages.length - failures} of ${packages.length} packages passed.`);
if (failures > 0) process.exitCode = 1;
