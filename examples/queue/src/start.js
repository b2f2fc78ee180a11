/**
 * `pnpm --filter @x/example-queue start`: the receiver and the worker as two processes on one
 * Redis, their output interleaved with a prefix. Ctrl-C stops both (the worker finishes what it
 * is running first).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const children = ['receiver', 'worker'].map((name) => {
  const child = spawn(process.execPath, [fileURLToPath(new URL(`./${name}.js`, import.meta.url))], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.on('data', (chunk) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop();
      for (const line of lines) console.log(`[${name} ${child.pid}] ${line}`);
    });
  }
  child.once('exit', (code, signal) => {
    console.log(`[${name} ${child.pid}] exited (${signal ?? code})`);
    // One without the other is no queue mode: stop the rest.
    for (const other of children) if (other !== child && other.exitCode === null) other.kill('SIGTERM');
    process.exitCode = code ?? 0;
  });
  return child;
});

const stop = () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
