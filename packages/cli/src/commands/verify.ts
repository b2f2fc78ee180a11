/**
 * @module commands/verify — `together-webhooks verify`: verifies a captured delivery with the core
 * and, when it fails, says which check failed and the likely cause.
 */
import { DEFAULT_TOLERANCE_SECONDS } from '@x/together-webhooks-core';
import { commonOptions, integer, parse, readFileOption, secretsFrom } from '../args.js';
import { writeJson, type Command } from '../command.js';
import { readAll, styleFor, type Context } from '../context.js';
import { diagnose, type Diagnosis } from '../diagnose.js';
import { CommandError, EXIT, UsageError } from '../errors.js';
import { schemeFrom, schemeOption, schemes } from '../schemes.js';

const options = {
  ...commonOptions,
  ...schemeOption,
  secret: { type: 'string', multiple: true },
  body: { type: 'string' },
  header: { type: 'string', short: 'H', multiple: true },
  headers: { type: 'string' },
  tolerance: { type: 'string' },
  now: { type: 'string' },
} as const;

export const verify: Command = {
  name: 'verify',
  summary: 'verify a captured delivery and explain why it fails',
  usage: "together-webhooks verify --body <file> --header 'name: value' … [--secret <secret>]… [--scheme together|standard]",
  help: `Verifies a delivery (its exact body bytes and its headers) with the same code a receiver runs.
When it fails, it names the check that failed and the likely cause, found by trying what usually
goes wrong: a body changed after signing (a trailing newline, JSON re-formatting, line endings, a
byte-order mark), a secret with whitespace or one the scheme cannot use, a clock out of step (by
how many seconds), a header lost on the way, a delivery of the other scheme, a signature encoded
wrongly (hex for base64, a prefix, no v1) or made over less than the scheme signs (no timestamp,
no webhook-id), a signature made with another of the secrets. It never prints a secret or the
expected signature.

Options:
  --scheme <scheme>         the receiver's scheme: together (default: x-together-* headers) or
                            standard (Standard Webhooks: webhook-* headers, whsec_ secrets)
  --body <file>             the body exactly as received ("-" reads stdin)
  -H, --header 'name: value'
                            a header as received; repeat for each
  --headers <file>          headers, one "name: value" a line (what \`sign\` prints, or curl -D)
  --secret <secret>         the receiver's secret (default: $TOGETHER_WEBHOOK_SECRET); repeat it
                            for each secret a receiver accepts during a rotation
  --tolerance <seconds>     the receiver's replay window (default ${DEFAULT_TOLERANCE_SECONDS})
  --now <seconds>           judge the timestamp as if it were this Unix time (a captured delivery)
  --json                    print the diagnosis as JSON (with "scheme")
  -h, --help                show this help

Exit code: 0 the delivery verifies, 1 it does not (the reason on stderr), 2 bad arguments.`,
  async run(args, context) {
    const { values } = parse(args, { options });
    const scheme = schemeFrom(values.scheme);
    const secrets = secretsFrom(values.secret, context);
    if (values.body === undefined) throw new UsageError('no body: pass --body <file> (or --body - to read stdin)');
    const body = values.body === '-' ? await readAll(context.stdin) : await readFileOption(values.body, 'body');
    const headers: [string, string][] = [];
    if (values.headers !== undefined) headers.push(...parseHeaderLines(await readFileOption(values.headers, 'headers')));
    for (const line of values.header ?? []) headers.push(parseHeader(line, '--header'));
    if (headers.length === 0) {
      const names = schemes[scheme].headerNames.map((name) => `--header '${name}: …'`).join(' ');
      throw new UsageError(`no headers: pass ${names} or --headers <file>`);
    }
    const toleranceSeconds = integer(values.tolerance, 'tolerance', { min: 0, max: 1e9, fallback: DEFAULT_TOLERANCE_SECONDS });
    const nowSeconds = values.now === undefined ? undefined : integer(values.now, 'now', { min: 0, max: 1e12, fallback: 0 });

    const diagnosis = diagnose({
      body,
      headers,
      secrets,
      scheme,
      toleranceSeconds,
      ...(nowSeconds === undefined ? {} : { now: nowSeconds * 1000 }),
    });
    if (values.json) writeJson(context, diagnosis);
    else print(diagnosis, context);
    if (diagnosis.ok) return EXIT.ok;
    throw new CommandError(`the delivery does not verify: ${diagnosis.code ?? 'unknown'}`);
  },
};

function print(diagnosis: Diagnosis, context: Context): void {
  const style = styleFor(context.stdout, context.env);
  const out = (line: string) => context.stdout.write(`${line}\n`);
  if (diagnosis.ok && diagnosis.event) {
    const age = diagnosis.ageSeconds ?? 0;
    const when = age >= 0 ? `signed ${age} s ago` : `signed ${-age} s in the future`;
    out(`${style.green('✓ verified')}: ${diagnosis.event.type} ${diagnosis.event.id} (${when})`);
    for (const cause of diagnosis.causes) out(`  ${cause.message}`);
    return;
  }
  const status = diagnosis.status === undefined ? '' : ` (a receiver answers ${diagnosis.status})`;
  out(`${style.red('✗ not verified')}: ${diagnosis.code ?? 'unknown'}${status}`);
  out(`  ${style.bold('failed check')}: ${diagnosis.check ?? 'unknown'}: ${diagnosis.message ?? ''}`);
  for (const cause of diagnosis.causes) {
    const label = cause.kind === 'signed_with_secret' ? 'note' : 'likely cause';
    out(`  ${style.yellow(label)}: ${cause.message}`);
  }
}

/** One `name: value` header, as curl -H takes it. */
function parseHeader(line: string, source: string): [string, string] {
  const colon = line.indexOf(':');
  const name = colon > 0 ? line.slice(0, colon).trim() : '';
  if (name === '' || /\s/.test(name)) throw new UsageError(`${source} ${JSON.stringify(line)} is not "name: value"`);
  // HTTP strips the whitespace around a field value (RFC 9110 5.5).
  return [name.toLowerCase(), line.slice(colon + 1).trim()];
}

/** Header lines from a file: `name: value` lines; blank lines and HTTP start lines are skipped. */
function parseHeaderLines(bytes: Uint8Array): [string, string][] {
  return new TextDecoder()
    .decode(bytes)
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '' && !/^HTTP\/\S+ \d{3}/.test(line) && !/^[A-Z]+ \S+ HTTP\/\S+$/.test(line))
    .map((line) => parseHeader(line, '--headers line'));
}
