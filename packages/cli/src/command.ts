/**
 * @module command — the shape of one subcommand: its help, and a `run` that returns the exit code.
 */
import type { Context } from './context.js';

/** One subcommand of `together-webhooks`. */
export interface Command {
  name: string;
  /** One line, for the command list. */
  summary: string;
  /** The synopsis, shown after a usage error. */
  usage: string;
  /** The full `--help` text (without the synopsis). */
  help: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[], context: Context): Promise<number>;
}

/** Writes one JSON document, one line: what `--json` prints. */
export function writeJson(context: Context, value: unknown): void {
  context.stdout.write(`${JSON.stringify(value)}\n`);
}
