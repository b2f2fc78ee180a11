/**
 * Child processes of the process tests (receivers and workers): started with node on a fixture,
 * their stdout kept as lines, stopped (SIGTERM, then SIGKILL) after each test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

const started: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((child) => stop(child)));
});

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A running fixture process. */
export interface FixtureProcess {
  readonly pid: number;
  /** Every line it printed so far. */
  lines(): string[];
  /** Resolves with the first line matching `pattern` (already printed or to come). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Ends it with SIGKILL and waits until it is gone. */
  kill(): Promise<void>;
}

/** Starts `test/fixtures/<name>` with `env`, and resolves once it printed a line matching `readyLine`. */
export async function startFixture(name: string, env: Record<string, string>, readyLine: RegExp): Promise<FixtureProcess> {
  const child = spawn(process.execPath, [fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url))], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const lines: string[] = [];
  let partial = '';
  let errors = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const parts = text.split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-4000)));
  const fixture: FixtureProcess = {
    pid: child.pid!,
    lines: () => lines,
    async waitForLine(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = lines.find((candidate) => pattern.test(candidate));
        if (line !== undefined) return line;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${errors}`);
        if (Date.now() > deadline) throw new Error(`${name} printed no line matching ${pattern} within ${timeoutMs} ms:\n${lines.join('\n')}\n${errors}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
  await fixture.waitForLine(readyLine, 30_000);
  return fixture;
}

/** How many lines of all `processes` are `<kind> <id>`, by id. */
export function countLines(processes: readonly FixtureProcess[], kind: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const child of processes) {
    for (const line of child.lines()) {
      const [first, id] = line.split(' ');
      if (first === kind && id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}
