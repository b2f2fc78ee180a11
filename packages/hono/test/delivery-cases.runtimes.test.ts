/**
 * The table of delivery cases against Hono on Bun, Deno and workerd, each a real server on a
 * loopback port sent real HTTP from this process. The app (test/runtimes/app.ts) is bundled once
 * per runtime with that runtime's `exports` conditions, as its tooling resolves packages: Bun and
 * Deno get the core's node:crypto build, workerd (bundled as wrangler does) the portable one.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { describe } from 'vitest';
import { describeDeliveryCases, httpTarget } from '@x/together-webhooks-test-support/delivery-cases';
import { installHint, missing, packageBinary, startServerChild, tempDir, type PackagedRuntime } from '@x/together-webhooks-test-support/runtimes';
import { READ_JSON_FIRST } from './parser-first.js';

const entries = fileURLToPath(new URL('runtimes/', import.meta.url));

async function bundle(entry: string, options: BuildOptions, coreBuild: string): Promise<string> {
  // No tsconfig paths: packages resolve by name to their builds, as in a user's app.
  const result = await build({ entryPoints: [join(entries, entry)], bundle: true, write: false, format: 'esm', target: 'es2022', logLevel: 'silent', tsconfigRaw: '{}', metafile: true, ...options });
  const core = Object.keys(result.metafile!.inputs).filter((input) => input.includes('core/'));
  if (!core.every((input) => input.includes(`core/dist/${coreBuild}/`))) throw new Error(`the bundle took other files of the core than dist/${coreBuild}: ${core.join(', ')}`);
  return result.outputFiles![0]!.text;
}

/** The capnp config: the worker on one loopback socket, and no outbound network at all. */
const workerdConfig = (port: number): string => `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .hono), (name = "nowhere", network = (allow = [])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const hono :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.mjs") ],
  compatibilityDate = "2025-09-01",
  globalOutbound = "nowhere",
);
`;

interface Runtime {
  name: string;
  binary: PackagedRuntime;
  entry: string;
  build: BuildOptions;
  /** The core's build the runtime's conditions select (packages/core/dist/<build>). */
  coreBuild: 'node' | 'portable';
  /** The runtime's arguments to serve `file` on `port` (in `dir`). */
  args: (file: string, port: number, dir: string) => string[];
  env?: NodeJS.ProcessEnv;
}

const runtimes: Runtime[] = [
  {
    name: 'Bun (Bun.serve)',
    binary: 'bun',
    entry: 'bun.ts',
    build: { platform: 'node', conditions: ['bun'] },
    coreBuild: 'node',
    args: (file) => ['--no-install', file],
    env: { DO_NOT_TRACK: '1', BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0' },
  },
  {
    name: 'Deno (Deno.serve)',
    binary: 'deno',
    entry: 'deno.ts',
    build: { platform: 'node', conditions: ['deno'] },
    coreBuild: 'node',
    // Loopback and $PORT only: no other network, files, subprocesses.
    args: (file, port) => ['run', '--no-prompt', '--no-lock', `--allow-net=127.0.0.1:${port}`, '--allow-env=PORT', file],
    env: { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
  },
  {
    name: 'workerd (a Worker module, bundled as wrangler does)',
    binary: 'workerd',
    entry: 'worker.ts',
    build: { platform: 'neutral', mainFields: ['module', 'main'], conditions: ['workerd', 'worker', 'browser'] },
    coreBuild: 'portable',
    args: (_file, port, dir) => {
      writeFileSync(join(dir, 'config.capnp'), workerdConfig(port));
      return ['serve', join(dir, 'config.capnp')];
    },
  },
];

for (const runtime of runtimes) {
  const binary = packageBinary(runtime.binary);
  describe.skipIf(binary === undefined && !process.env.CI)(runtime.name, () => {
    describeDeliveryCases(
      `Hono on ${runtime.name}`,
      async () => {
        if (!binary) throw missing(runtime.binary, installHint(runtime.binary));
        const dir = tempDir(`hono-${runtime.binary}`);
        const file = join(dir.path, runtime.binary === 'workerd' ? 'worker.mjs' : 'server.mjs');
        writeFileSync(file, await bundle(runtime.entry, runtime.build, runtime.coreBuild));
        const server = await startServerChild(binary, (port) => runtime.args(file, port, dir.path), {
          cwd: dir.path,
          env: { ...process.env, ...runtime.env, DENO_DIR: join(dir.path, 'deno-dir') },
          readyPath: '/__ready',
        });
        return httpTarget(
          server.origin,
          async () => {
            await server.stop();
            dir.remove();
          },
          async (id) => ((await (await fetch(`${server.origin}/__runs/${encodeURIComponent(id)}`)).json()) as { runs: number }).runs,
        );
      },
      { parserFirst: READ_JSON_FIRST.difference },
    );
  });
}
