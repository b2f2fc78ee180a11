/**
 * @module context — what a command may touch: its output streams, stdin, the environment and the
 * clock, passed in so every command can be driven the same way from the executable or a test.
 */
import { Buffer } from 'node:buffer';
import { createStyle, type Style } from './style.js';

/** A writable text stream (process.stdout, process.stderr). */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** A readable byte stream (process.stdin). */
export interface Input extends AsyncIterable<Uint8Array | string> {
  isTTY?: boolean;
}

/** Everything a command runs with. */
export interface Context {
  stdout: Output;
  stderr: Output;
  stdin: Input;
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Resolves with the signal's name when the process is asked to stop (SIGINT, SIGTERM). Only a
   * long-running command calls it: until then, Ctrl-C ends the process as usual.
   */
  waitForStop(): Promise<string>;
}

/** Whether `stream` gets colour: a terminal, and the user did not opt out (https://no-color.org). */
export function colorEnabled(stream: Output, env: Context['env']): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** The style for writing to `stream`: plain for scripts (`--json`) and pipes. */
export function styleFor(stream: Output, env: Context['env'], json = false): Style {
  return createStyle(!json && colorEnabled(stream, env));
}

/** Reads all of stdin as the exact bytes sent. */
export async function readAll(input: Input): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    chunks.push(bytes);
    length += bytes.byteLength;
  }
  return Buffer.concat(chunks, length);
}
