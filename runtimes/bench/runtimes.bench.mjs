/**
 * verifySync and verify() throughput in Bun, Deno, workerd and headless Chromium, each against
 * that runtime's own floor (its native HMAC-SHA256: node:crypto createHmac in Bun and Deno,
 * crypto.subtle in workerd and Chromium), for a 1 KiB realistic JSON delivery. Node is measured
 * the same way for reference. Throughput is per second of the runtime's own CPU time (Chromium:
 * of the page's clock, the best of the rounds), so other load on a shared machine does not skew
 * the ratios. Bounded: about 20 s on an idle machine, 60 s at most, every child killed past its
 * deadline. Run by `pnpm bench` (after a build), or `node runtimes/bench/runtimes.bench.mjs`.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const runtimesDir = fileURLToPath(new URL('..', import.meta.url));
const here = (path) => join(runtimesDir, path);
const startedAt = performance.now();

function binaryAt(path) {
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

const binary = (path) => binaryAt(here(path));

function run(command, args, { env = process.env, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: runtimesDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(stdout.trim().split('\n').pop()));
      else reject(new Error(`${command} exited with ${code}: ${stderr}`));
    });
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Best of interleaved rounds: on a shared machine, other load only ever slows a round down.
const ROUNDS = 5;
// What every runtime measures (the cases of lib/measure.mjs and lib/subtle-cases.mjs).
const CASES = ['floor', 'floor+parse', 'verifySync', 'verify'];
// Past this, the runtimes not yet measured are reported as skipped (pnpm bench stays bounded).
const BUDGET_MS = 60_000;

/** CPU time, in ms, that every thread of process `pid` has run (Linux /proc schedstat, in ns). */
function processCpuMs(pid) {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread exited between the listing and the read.
    }
  }
  return ns / 1e6;
}

/**
 * workerd: bundle the worker as wrangler would, serve it on loopback, and measure the CPU time
 * workerd spends on each request's loop (its clock is frozen inside, so not from there).
 * `nodeBuild`: the node:crypto build under the nodejs_compat flag, where workerd's node:crypto is
 * native and synchronous. The core exports no subpath for that build yet, so this row reaches
 * its file directly; a `./node` export would let users choose it.
 */
async function workerd({ nodeBuild = false } = {}) {
  const bin = binary('node_modules/workerd/bin/workerd');
  if (!bin) throw new Error('workerd is not installed (pnpm install)');
  const dir = mkdtempSync(join(tmpdir(), 'together-bench-workerd-'));
  let child;
  try {
    const result = await build({
      entryPoints: [here('bench/lib/worker.mjs')],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      conditions: ['workerd', 'worker', 'browser'],
      ...(nodeBuild
        ? { alias: { '@x/together-webhooks-core': here('node_modules/@x/together-webhooks-core/dist/node/index.js') }, external: ['node:*', 'buffer', 'crypto'] }
        : {}),
      target: 'es2022',
      logLevel: 'silent',
    });
    writeFileSync(join(dir, 'worker.mjs'), result.outputFiles[0].text);
    const port = await freePort();
    writeFileSync(
      join(dir, 'config.capnp'),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .bench), (name = "nowhere", network = (allow = [])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const bench :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.mjs") ],
  compatibilityDate = "2025-09-01",${nodeBuild ? '\n  compatibilityFlags = ["nodejs_compat"],' : ''}
  globalOutbound = "nowhere",
);
`,
    );
    child = spawn(bin, ['serve', join(dir, 'config.capnp')], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr.setEncoding('utf8').on('data', (chunk) => (log += chunk));
    const origin = `http://127.0.0.1:${port}`;
    const call = async (name, n) => {
      const start = processCpuMs(child.pid);
      const response = await fetch(`${origin}/run?case=${encodeURIComponent(name)}&n=${n}`, { signal: globalThis.AbortSignal.timeout(10_000) });
      const body = await response.json();
      if (!response.ok) throw new Error(`workerd: ${JSON.stringify(body)}`);
      return { ms: processCpuMs(child.pid) - start, cryptoBackend: body.cryptoBackend };
    };
    for (let ready = false, deadline = Date.now() + 15_000; !ready; ) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`workerd did not start: ${log}`);
      ready = await call('', 0).then(() => true, () => new Promise((resolve) => setTimeout(() => resolve(false), 100)));
    }
    // The CPU cost of a request that does no work, taken off every timing.
    const empty = [];
    for (let i = 0; i < 15; i++) empty.push((await call('', 0)).ms);
    const overhead = Math.min(...empty);
    const cases = CASES;
    const counts = {};
    let cryptoBackend;
    for (const name of cases) {
      const probe = await call(name, 2000); // also the warmup
      cryptoBackend = probe.cryptoBackend;
      counts[name] = Math.max(1000, Math.round((2000 * 100) / Math.max(probe.ms - overhead, 1)));
    }
    const samples = Object.fromEntries(cases.map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of cases) {
        const { ms } = await call(name, counts[name]);
        samples[name].push((counts[name] * 1000) / Math.max(ms - overhead, 0.001));
      }
    }
    const npmVersion = (await import(here('node_modules/workerd/package.json'), { with: { type: 'json' } })).default.version;
    return {
      runtime: `workerd ${npmVersion}${nodeBuild ? ' + nodejs_compat' : ''}`,
      cryptoBackend,
      floorName: 'crypto.subtle HMAC + timingSafeEqual (async)',
      opsPerSecond: Object.fromEntries(cases.map((name) => [name, Math.max(...samples[name])])),
    };
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Headless Chromium (Debian's, driven by playwright-core): the page loads lib/page.mjs bundled for
 * the browser (the portable build) from a loopback server; each batch is timed in the page.
 */
async function chromium() {
  const executablePath = binaryAt('/usr/bin/chromium');
  if (!executablePath) throw new Error('Chromium is not installed (apt-get install -y chromium)');
  const { chromium: launcher } = await import('playwright-core');
  const result = await build({
    entryPoints: [here('bench/lib/page.mjs')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  const files = {
    '/': { type: 'text/html; charset=utf-8', body: '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>' },
    '/page.js': { type: 'text/javascript; charset=utf-8', body: result.outputFiles[0].text },
  };
  const server = createHttpServer((request, response) => {
    const file = files[request.url ?? ''];
    if (!file) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': file.type }).end(file.body);
  });
  const port = await new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
  const profile = mkdtempSync(join(tmpdir(), 'together-bench-chromium-'));
  let context;
  try {
    context = await launcher.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      timeout: 30_000,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => typeof globalThis.__bench === 'function');
    const call = (name, n) => page.evaluate(([name, n]) => globalThis.__bench(name, n), [name, n]);
    const counts = {};
    let cryptoBackend;
    for (const name of CASES) {
      const probe = await call(name, 2000); // also the warmup
      cryptoBackend = probe.cryptoBackend;
      counts[name] = Math.max(1000, Math.round((2000 * 100) / Math.max(probe.ms, 1)));
    }
    const samples = Object.fromEntries(CASES.map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of CASES) {
        const { ms } = await call(name, counts[name]);
        samples[name].push((counts[name] * 1000) / Math.max(ms, 0.001));
      }
    }
    return {
      runtime: `Chromium ${context.browser()?.version() ?? ''}`.trim(),
      cryptoBackend,
      floorName: 'crypto.subtle HMAC + constant-time compare (async)',
      opsPerSecond: Object.fromEntries(CASES.map((name) => [name, Math.max(...samples[name])])),
    };
  } finally {
    await context?.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(profile, { recursive: true, force: true });
  }
}

async function deno() {
  const bin = binary('node_modules/deno/deno');
  if (!bin) throw new Error('deno is not installed (pnpm install)');
  const cache = mkdtempSync(join(tmpdir(), 'together-bench-deno-'));
  try {
    const env = { ...process.env, DENO_DIR: cache, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
    const args = ['run', '--no-prompt', '--no-lock', `--allow-read=${here('node_modules')}`, 'bench/lib/measure.mjs'];
    return await run(bin, args, { env });
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

async function bun() {
  const bin = binary('node_modules/bun/bin/bun.exe');
  if (!bin) throw new Error('bun is not installed (pnpm install)');
  return run(bin, ['--no-install', 'bench/lib/measure.mjs'], { env: { ...process.env, DO_NOT_TRACK: '1' } });
}

const node = async () => {
  const result = await run(process.execPath, ['bench/lib/measure.mjs']);
  return { ...result, runtime: `${result.runtime} (reference)` };
};

const nodeFloor = 'node:crypto createHmac + timingSafeEqual';
const rows = [];
const measures = [
  ['Bun', bun],
  ['Deno', deno],
  ['workerd', workerd],
  ['workerd + nodejs_compat', () => workerd({ nodeBuild: true })],
  ['Chromium', chromium],
  ['Node (reference)', node],
];
for (const [name, measure] of measures) {
  if (performance.now() - startedAt > BUDGET_MS) {
    rows.push({ runtime: name, error: `skipped: the ${BUDGET_MS / 1000} s budget is spent (a loaded machine)` });
    continue;
  }
  try {
    rows.push({ floorName: nodeFloor, ...(await measure()) });
  } catch (error) {
    rows.push({ runtime: name, error: error.message.split('\n')[0] });
  }
}

const k = (ops) => `${(ops / 1000).toFixed(1)}k`;
const table = [
  ['runtime', 'build', 'floor (native HMAC)', 'floor ops/s', 'floor+parse ops/s', 'verifySync ops/s', 'verify() ops/s', 'verifySync / floor+parse', 'verify() / floor+parse', 'verifySync / floor'],
  ...rows.map((row) =>
    row.error
      ? [row.runtime, 'FAILED', row.error, '', '', '', '', '', '', '']
      : [
          row.runtime,
          row.cryptoBackend,
          row.floorName,
          k(row.opsPerSecond.floor),
          k(row.opsPerSecond['floor+parse']),
          k(row.opsPerSecond.verifySync),
          k(row.opsPerSecond.verify),
          `${(row.opsPerSecond['floor+parse'] / row.opsPerSecond.verifySync).toFixed(2)}x`,
          `${(row.opsPerSecond['floor+parse'] / row.opsPerSecond.verify).toFixed(2)}x`,
          `${(row.opsPerSecond.floor / row.opsPerSecond.verifySync).toFixed(2)}x`,
        ],
  ),
];
console.log('\nverifySync and verify(), 1 KiB delivery, by runtime (ops per CPU-second of the runtime process, Chromium: of its page clock; best of 5 interleaved rounds; ratio = time per call / per floor op; issue 14 target: verify() <= 1.2x floor+parse where the floor is crypto.subtle)\n');
for (const [i, cells] of table.entries()) {
  console.log(`| ${cells.join(' | ')} |`);
  if (i === 0) console.log(`|${cells.map(() => '---').join('|')}|`);
}
console.log(`\n${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
if (rows.some((row) => row.error)) process.exitCode = 1;
