/**
 * @module runtimes — running the other JavaScript runtimes from a Node test: where the binaries
 * the `bun`, `deno` and `workerd` npm packages install are (under runtimes/node_modules), what a
 * test does when one is missing (skip loudly; fail under CI), children with deadlines, temporary
 * directories, and a long-running server child started on a free loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

/** The repository's runtimes/ folder, whose devDependencies install the runtimes' binaries. */
export const runtimesDir = fileURLToPath(new URL('../../../runtimes/', import.meta.url));

/** Under CI a test that needs a missing tool or runtime fails; on a workstation it is skipped, loudly. */
export const isCI = Boolean(process.env.CI);

/**
 * Whether to skip the tests that need `what`. Never under CI: they run, and fail with
 * {@link missing}. Elsewhere, when it is missing, says so on stderr (what is missing, which tests
 * are skipped, how to install it) and answers true.
 *
 * @param what - the tool or runtime, as a user would look for it (`/usr/bin/chromium`)
 * @param found - whether it is here
 * @param fix - how to install it (`apt-get install -y chromium`)
 * @param tests - the tests that need it, for the message
 * @returns true when the tests should be skipped
 */
export function skipWithout(what: string, found: boolean, fix: string, tests: string): boolean {
  if (found || isCI) return false;
  const rule = '*'.repeat(78);
  console.warn(`\n${rule}\n*  ${what} was not found: ${tests} are SKIPPED.\n*  Install it (${fix}) to run them; under CI they fail.\n${rule}\n`);
  return true;
}

/** Why a tool or runtime is missing and how to get it, thrown under CI. */
export function missing(what: string, fix: string): Error {
  return new Error(`${what} is not available (${fix}); under CI a test that cannot run is a failure`);
}

/** The path, when it exists and can be executed. */
export function executable(path: string): string | undefined {
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

// The native executables the packages' install scripts leave in place. Not node_modules/.bin:
// those shims run the binary as a child of sh or node, so stopping the shim would orphan it.
const nativeBinaries = { bun: 'bun/bin/bun.exe', deno: 'deno/deno', workerd: 'workerd/bin/workerd' } as const;

/** A runtime whose binary comes from an npm package of runtimes/. */
export type PackagedRuntime = keyof typeof nativeBinaries;

/** How to get a packaged runtime's binary, for the skip and failure messages. */
export const installHint = (name: PackagedRuntime): string => `pnpm install in runtimes/ with ${name} in onlyBuiltDependencies`;

/**
 * The executable an npm package installed under runtimes/node_modules, or undefined when it is
 * missing (its install script did not run: pnpm runs only those in `onlyBuiltDependencies`);
 * then, outside CI, it says so on stderr ({@link skipWithout}), since the tests that need it skip.
 */
export function packageBinary(name: PackagedRuntime): string | undefined {
  const path = executable(join(runtimesDir, 'node_modules', nativeBinaries[name]));
  skipWithout(name, path !== undefined, installHint(name), `the ${name} tests`);
  return path;
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `together-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** What a finished child printed, and how it ended. */
export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; kills it and rejects past `timeoutMs`. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ChildResult> {
  const { cwd = runtimesDir, env = process.env, timeoutMs = 60_000 } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} timed out after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Stops a long-running child: SIGTERM, then SIGKILL if it has not exited within 3 s. */
export async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** A server running as a child process. */
export interface ServerChild {
  child: ChildProcess;
  origin: string;
  /** Everything it printed so far, for failure messages. */
  log: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts a server child on a free loopback port and resolves once `GET <origin><readyPath>`
 * answers 2xx. The port is free when chosen but another process may take it first, so up to three
 * ports are tried; the child, started with `args(port)` and `$PORT`, must listen on 127.0.0.1 at it.
 *
 * @param command - the executable (a runtime's binary)
 * @param args - its arguments for a port
 * @param options - the working directory, environment, the readiness path and its deadline
 */
export async function startServerChild(
  command: string,
  args: (port: number) => string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; readyPath?: string; timeoutMs?: number } = {},
): Promise<ServerChild> {
  const { cwd = runtimesDir, env = process.env, readyPath = '/', timeoutMs = 30_000 } = options;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    let output = '';
    const child = spawn(command, args(port), { cwd, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const origin = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + timeoutMs;
    while (child.exitCode === null && Date.now() < deadline) {
      try {
        const response = await fetch(`${origin}${readyPath}`, { signal: AbortSignal.timeout(1_000) });
        if (response.ok) return { child, origin, log: () => output, stop: () => stop(child) };
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await stop(child);
    if (attempt === 3) throw new Error(`${command} did not answer on ${origin}${readyPath} within ${timeoutMs} ms:\n${output}`);
  }
}
