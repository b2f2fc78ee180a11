/**
 * @module bin — the `together-webhooks` executable: the process's streams and signals, handed to
 * {@link main}.
 */
import { main } from './main.js';

// A reader that went away (`together-webhooks types | head`) is not an error worth a stack.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

let stopping: Promise<string> | undefined;
const waitForStop = () =>
  (stopping ??= new Promise<string>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
  }));

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  waitForStop,
});
