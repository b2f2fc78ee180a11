/**
 * Which `exports` conditions each runtime and each platform's bundling resolves with, probed with
 * one throwaway package per condition, and the build the core's `exports` map gives each of them.
 * If a runtime's resolver changes (Bun or Deno adding "worker", say), this fails before users
 * silently get the other build.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { here, isCI, missing, packageBinary, run, tempDir } from './support.js';

const probed = ['bun', 'deno', 'node', 'workerd', 'worker', 'browser', 'edge-light', 'react-server', 'import', 'require', 'module'];

type ExportsTarget = string | { [condition: string]: ExportsTarget };
const coreExports = (JSON.parse(readFileSync(here('node_modules/@x/together-webhooks-core/package.json'), 'utf8')) as {
  exports: Record<string, ExportsTarget>;
}).exports['.']!;

/** Node's PACKAGE_TARGET_RESOLVE for conditional objects: the first key whose condition is active. */
function select(target: ExportsTarget, active: ReadonlySet<string>): string | undefined {
  if (typeof target === 'string') return target;
  for (const [condition, next] of Object.entries(target)) {
    if (condition === 'default' || active.has(condition)) {
      const found = select(next, active);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

const buildOf = (active: readonly string[]) => {
  const file = select(coreExports, new Set(active));
  return file?.includes('/node/') ? 'node:crypto' : file?.includes('/portable/') ? '@noble/hashes' : file;
};

let app: ReturnType<typeof tempDir> | undefined;

beforeAll(() => {
  app = tempDir('conditions');
  writeFileSync(join(app.path, 'package.json'), JSON.stringify({ name: 'conditions-probe', private: true, type: 'module' }));
  for (const condition of probed) {
    const dir = join(app.path, 'node_modules', `probe-${condition}`);
    mkdirSync(dir, { recursive: true });
    const exports = { [condition]: './yes.js', default: './no.js' };
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `probe-${condition}`, type: 'module', exports }));
    writeFileSync(join(dir, 'yes.js'), 'export default true;\n');
    writeFileSync(join(dir, 'no.js'), 'export default false;\n');
  }
  const imports = probed.map((condition, i) => `import c${i} from 'probe-${condition}';`).join('\n');
  const list = probed.map((condition, i) => `[${JSON.stringify(condition)}, c${i}]`).join(', ');
  writeFileSync(join(app.path, 'probe.mjs'), `${imports}\nconsole.log(JSON.stringify([${list}].filter(([, on]) => on).map(([c]) => c)));\n`);
});

afterAll(() => app?.remove());

async function activeIn(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const result = await run(command, [...args, 'probe.mjs'], { cwd: app!.path, env, timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim()) as string[];
}

async function activeInBundle(options: Parameters<typeof build>[0]): Promise<string[]> {
  const result = await build({ entryPoints: [join(app!.path, 'probe.mjs')], bundle: true, write: false, metafile: true, logLevel: 'silent', ...options });
  const inputs = Object.keys(result.metafile!.inputs);
  return probed.filter((condition) => inputs.some((input) => input.endsWith(`probe-${condition}/yes.js`)));
}

describe('exports conditions by runtime, and the core build each one gets', () => {
  it('Node ESM: node, import → node:crypto', async () => {
    const active = await activeIn(process.execPath, []);
    expect(active).toEqual(['node', 'import']);
    expect(buildOf(active)).toBe('node:crypto');
  });

  const bun = packageBinary('bun');
  const deno = packageBinary('deno');

  it.skipIf(!bun && !isCI)('Bun: bun, node, import (no worker, no browser) → node:crypto', async () => {
    if (!bun) throw missing('bun', 'pnpm install in runtimes/');
    const active = await activeIn(bun, ['--no-install'], { ...process.env, DO_NOT_TRACK: '1' });
    expect(active).toEqual(['bun', 'node', 'import']);
    expect(buildOf(active)).toBe('node:crypto');
  });

  it.skipIf(!deno && !isCI)('Deno from node_modules: deno, node, import → node:crypto', async () => {
    if (!deno) throw missing('deno', 'pnpm install in runtimes/');
    const cache = tempDir('deno-dir');
    const env = { ...process.env, DENO_DIR: cache.path, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
    const active = await activeIn(deno, ['run', '--no-prompt', '--no-lock', `--allow-read=${join(app!.path, 'node_modules')}`], env).finally(
      cache.remove,
    );
    expect(active).toEqual(['deno', 'node', 'import']);
    expect(buildOf(active)).toBe('node:crypto');
  });

  it.each([
    { bundler: 'wrangler-style (workerd)', options: { platform: 'neutral', conditions: ['workerd', 'worker', 'browser'] }, active: ['workerd', 'worker', 'browser', 'import'] },
    { bundler: 'Vercel edge', options: { platform: 'neutral', conditions: ['edge-light', 'worker', 'browser'] }, active: ['worker', 'browser', 'edge-light', 'import'] },
    { bundler: 'browser app', options: { platform: 'browser' }, active: ['browser', 'import'] },
  ] as const)('esbuild, $bundler: $active → @noble/hashes', async ({ options, active }) => {
    const found = await activeInBundle({ ...options, conditions: 'conditions' in options ? [...options.conditions] : [] });
    expect(found).toEqual(active);
    expect(buildOf(found)).toBe('@noble/hashes');
  });
});
