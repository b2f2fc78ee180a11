/**
 * @module commands/sign — `together-webhooks sign`: the signature headers for a body, read as exact
 * bytes from stdin (or a file), in either scheme.
 */
import { randomBytes } from 'node:crypto';
import { commonOptions, integer, parse, readFileOption, secretsFrom } from '../args.js';
import { writeJson, type Command } from '../command.js';
import { readAll } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import { checkSecrets, schemeFrom, schemeOption, signHeaders } from '../schemes.js';

const options = {
  ...commonOptions,
  ...schemeOption,
  secret: { type: 'string', multiple: true },
  timestamp: { type: 'string' },
  id: { type: 'string' },
  body: { type: 'string' },
} as const;

export const sign: Command = {
  name: 'sign',
  summary: 'print the signature headers for a body read from stdin',
  usage: 'together-webhooks sign [--scheme together|standard] [--secret <secret>]… [--timestamp <seconds>] [--id <id>] [--body <file>] < body',
  help: `Signs the exact bytes of a body (stdin, or --body) as a sender does (the together-webhooks
watcher, or your own code), and prints the scheme's headers, one "name: value" a line, ready for
curl -H or for \`together-webhooks verify --headers\`. Nothing is added to or removed from the
body: a trailing newline on stdin is part of what is signed.

  together   x-together-signature (hex HMAC-SHA256 of "<timestamp>.<body>") and
             x-together-timestamp
  standard   Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature
             ("v1,<base64 HMAC-SHA256>" of "<id>.<timestamp>.<body>", keyed with a whsec_ secret)

Options:
  --scheme <scheme>       together (default) or standard (Standard Webhooks), as above
  --secret <secret>       the webhook secret (default: $TOGETHER_WEBHOOK_SECRET); repeat it to
                          sign with several, one signature each, as a sender rotating its
                          secret does
  --timestamp <seconds>   Unix time to sign at (default: now)
  --id <id>               standard only: the webhook-id (default: the body's "id" when it is a
                          JSON object with one, else a new msg_… id each run; a receiver
                          deduplicates by it, so re-sign a retry with the same --id)
  --body <file>           read the body from a file instead of stdin
  --json                  print { "scheme": …, "headers": { "name": "value", … } }
  -h, --help              show this help

Example:
  together-webhooks sign --secret whsec_example < body.json > headers.txt
  curl http://127.0.0.1:4000/webhooks --data-binary @body.json \\
    -H 'content-type: application/json' -H @headers.txt`,
  async run(args, context) {
    const { values } = parse(args, { options });
    const scheme = schemeFrom(values.scheme);
    if (values.id !== undefined && scheme !== 'standard') {
      throw new UsageError('--id sets the webhook-id of --scheme standard: the together scheme signs no id');
    }
    if (values.id === '') throw new UsageError('--id is empty');
    const secrets = secretsFrom(values.secret, context);
    checkSecrets(secrets, scheme, values.secret);
    const timestamp = integer(values.timestamp, 'timestamp', {
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      fallback: Math.floor(Date.now() / 1000),
    });
    let body: Uint8Array;
    if (values.body !== undefined && values.body !== '-') {
      body = await readFileOption(values.body, 'body');
    } else {
      if (context.stdin.isTTY) throw new UsageError('no body: pipe it on stdin (together-webhooks sign < body.json) or pass --body <file>');
      body = await readAll(context.stdin);
    }
    const id = scheme === 'standard' ? (values.id ?? idOf(body) ?? `msg_${randomBytes(12).toString('hex')}`) : undefined;
    const headers = signHeaders(body, { secrets, scheme, timestamp, ...(id === undefined ? {} : { id }) });
    if (values.json) writeJson(context, { scheme, headers });
    else for (const [name, value] of Object.entries(headers)) context.stdout.write(`${name}: ${value}\n`);
    return EXIT.ok;
  },
};

/** The body's own `id`, when it is a JSON object with a non-empty string one. */
function idOf(body: Uint8Array): string | undefined {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(body));
    const id = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).id : undefined;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}
