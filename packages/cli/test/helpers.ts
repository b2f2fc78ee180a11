/**
 * @module helpers — runs the built executable as a child process, the way a user does, and makes
 * sure every child is gone after each test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach } from 'vitest';

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
export const SECRET = 'whsec_cli_test_4fJ9qLx2Vb7N';
/** A Standard Webhooks secret: whsec_ and the base64 of the key bytes. */
export const STANDARD_SECRET = `whsec_${Buffer.from('cli test key for Standard Webhooks').toString('base64')}`;

if (!existsSync(BIN)) {
  throw new Error(`${BIN} is missing: build first (pnpm --filter @x/together-webhooks-cli build)`);
}

/** What a finished run printed, and its exit code. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Bytes (or text) written to stdin, then closed. Default: nothing, stdin closed. */
  stdin?: string | Uint8Array;
  cwd?: string;
  timeoutMs?: number;
}

const children = new Set<ChildProcess>();

/** An environment without the developer's own secret or colour settings leaking in. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !['TOGETHER_WEBHOOK_SECRET', 'NO_COLOR', 'FORCE_COLOR', 'PORT'].includes(key)) env[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

/** Spawns `command args` in its own process group, so a kill reaches every process it started. */
function spawnGroup(command: string, args: readonly string[], options: RunOptions): ChildProcess {
  const child = spawn(command, args, {
    env: cleanEnv(options.env),
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  // A child that exits without reading its stdin is not an error of the test.
  child.stdin.on('error', () => undefined);
  return child;
}

/**
 * Starts a long-running child (a receiver): whatever is still running when the test ends is
 * killed, with its process group.
 */
export function start(command: string, args: readonly string[], options: RunOptions = {}): ChildProcess {
  const child = spawnGroup(command, args, options);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Stops a child and its group, and waits for it to exit. */
export async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, 5000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

afterEach(async () => {
  await Promise.all([...children].map((child) => stop(child, 'SIGKILL')));
});

/** Collects a child's output as text. */
function collect(child: ChildProcess): { stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return { stdout: () => stdout, stderr: () => stderr };
}

/**
 * Runs any command to completion, or kills it after `timeoutMs`. Its own test always awaits it, so
 * the end of another test never kills it: tests of these may run concurrently.
 */
export async function runCommand(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const child = spawnGroup(command, args, options);
  const output = collect(child);
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  child.stdin!.end(options.stdin ?? '');
  const timer = setTimeout(() => void stop(child, 'SIGKILL'), options.timeoutMs ?? 30_000);
  const code = await exited;
  clearTimeout(timer);
  return { code, stdout: output.stdout(), stderr: output.stderr() };
}

/** Runs `together-webhooks args` with the built executable. */
export function run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runCommand(process.execPath, [BIN, ...args], options);
}

/** A running `together-webhooks listen`. */
export interface Listener {
  url: string;
  child: ChildProcess;
  /** Everything it printed so far. */
  stdout(): string;
  stderr(): string;
  /** Waits until its output matches `pattern` (a regular expression, or a test of the whole output). */
  waitFor(pattern: RegExp | ((output: string) => boolean), timeoutMs?: number): Promise<void>;
}

/** Waits until `read()` matches `pattern`, polling; rejects with what was read on timeout. */
export async function waitForOutput(
  read: () => string,
  pattern: RegExp | ((output: string) => boolean),
  // Generous: child processes start slowly on a loaded two-core machine.
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const matches = typeof pattern === 'function' ? pattern : (output: string) => pattern.test(output);
  while (!matches(read())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}; output so far:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Starts `together-webhooks listen --port 0 …` and waits for the URL it prints. */
export async function startListen(args: readonly string[] = [], options: RunOptions = {}): Promise<Listener> {
  const child = start(process.execPath, [BIN, 'listen', '--port', '0', ...args], options);
  child.stdin!.end();
  const output = collect(child);
  await waitForOutput(() => `${output.stdout()}${output.stderr()}`, /http:\/\/127\.0\.0\.1:\d+\/\S*|together-webhooks listen:/);
  const url = /http:\/\/127\.0\.0\.1:\d+\/[^\s"]*/.exec(output.stdout())?.[0];
  if (url === undefined) throw new Error(`listen did not start:\n${output.stdout()}${output.stderr()}`);
  return {
    url,
    child,
    stdout: output.stdout,
    stderr: output.stderr,
    waitFor: (pattern, timeoutMs) => waitForOutput(output.stdout, pattern, timeoutMs),
  };
}

/** The JSON documents of `--json` output, one a line. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const tempDirs: string[] = [];

/** A fresh temporary folder, removed once the test file finishes. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});
