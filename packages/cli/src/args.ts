/**
 * @module args — `node:util` `parseArgs` with usage errors in plain words, and the checks the
 * commands share (integers, secrets, files).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Context } from './context.js';
import { UsageError } from './errors.js';

/** The options every command takes. */
export const commonOptions = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `args` strictly: unknown options, missing values and unexpected positionals are usage
 * errors.
 */
export function parse<const T extends Omit<ParseArgsConfig, 'args' | 'strict'>>(
  args: string[],
  config: T,
): ReturnType<typeof parseArgs<T & { args: string[]; strict: true }>> {
  try {
    return parseArgs({ ...config, args, strict: true });
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError(plainParseError(error.message));
    }
    throw error;
  }
}

// parseArgs explains itself at length ("To specify a positional argument starting with a '-' …"):
// its first sentence is the reason.
function plainParseError(message: string): string {
  const first = message.split(/\.\s/)[0] ?? message;
  return first.charAt(0).toLowerCase() + first.slice(1).replace(/\.$/, '');
}

/** An integer option within bounds, or its default when absent. */
export function integer(
  value: string | undefined,
  name: string,
  { min, max, fallback }: { min: number; max: number; fallback: number },
): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value)) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** The secrets from `--secret` (repeatable), or else from `TOGETHER_WEBHOOK_SECRET`. */
export function secretsFrom(values: readonly string[] | undefined, context: Context): string[] {
  const secrets = values && values.length > 0 ? [...values] : context.env.TOGETHER_WEBHOOK_SECRET !== undefined ? [context.env.TOGETHER_WEBHOOK_SECRET] : [];
  if (secrets.length === 0) throw new UsageError('no secret: pass --secret <secret> or set TOGETHER_WEBHOOK_SECRET');
  secrets.forEach((secret, index) => {
    if (secret.trim() === '') throw new UsageError(`${secretOption(index, values)} is empty`);
  });
  return secrets;
}

/** Where secret `index` came from, in words: `--secret`, `--secret #2`, or `TOGETHER_WEBHOOK_SECRET`. */
export function secretOption(index: number, values: readonly string[] | undefined): string {
  if (!values || values.length === 0) return 'TOGETHER_WEBHOOK_SECRET';
  return values.length > 1 ? `--secret #${index + 1}` : '--secret';
}

/** A file's bytes; a missing or unreadable file is a usage error naming the option. */
export async function readFileOption(path: string, option: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(code ?? error);
    throw new UsageError(`--${option} ${path}: ${reason}`);
  }
}
