/**
 * @module start-example — starts an example's server script as a user does (`node src/…` with
 * PORT and TOGETHER_WEBHOOK_SECRET), on a free loopback port, and stops it after each test.
 * Shared by the examples' tests; the examples themselves stay self-contained.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach } from 'vitest';
import { freePort } from './ports.js';

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill();
    await once(child, 'exit');
  }
});

/** A running example server. */
export interface StartedExample {
  port: number;
  /** Everything it printed to stdout so far. */
  output: () => string;
}

/**
 * Runs `script` (relative to `exampleDir`) and resolves once it prints the address it listens on.
 * @param exampleDir - the example's folder
 * @param script - its server script, e.g. `src/server.js`
 * @param secret - the webhook secret it is given through the environment
 */
export async function startExample(exampleDir: string, script: string, secret: string): Promise<StartedExample> {
  const port = await freePort();
  const child = spawn(process.execPath, [script], {
    cwd: exampleDir,
    env: { ...process.env, PORT: String(port), TOGETHER_WEBHOOK_SECRET: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  let errors = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  while (!output.includes('POST http://127.0.0.1')) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode} before listening:\n${output}${errors}`);
    await Promise.race([once(child.stdout, 'data'), once(child, 'exit')]);
  }
  return { port, output: () => output };
}
