/**
 * @module commands/sign — `together-webhooks sign`: the signature headers for a body, read as exact
 * bytes from stdin (or a file).
 */
import { sign as signBody, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '@x/together-webhooks-core';
import { commonOptions, integer, parse, readFileOption, secretsFrom } from '../args.js';
import { writeJson, type Command } from '../command.js';
import { readAll } from '../context.js';
import { EXIT, UsageError } from '../errors.js';

const options = {
  ...commonOptions,
  secret: { type: 'string', multiple: true },
  timestamp: { type: 'string' },
  body: { type: 'string' },
} as const;

export const sign: Command = {
  name: 'sign',
  summary: 'print the signature headers for a body read from stdin',
  usage: 'together-webhooks sign [--secret <secret>] [--timestamp <seconds>] [--body <file>] < body',
  help: `Signs the exact bytes of a body (stdin, or --body) the way Together signs deliveries,
HMAC-SHA256 of "<timestamp>.<body>", and prints the two headers, one "name: value" a line,
ready for curl -H or for \`together-webhooks verify --headers\`. Nothing is added to or removed
from the body: a trailing newline on stdin is part of what is signed.

Options:
  --secret <secret>       the webhook secret (default: $TOGETHER_WEBHOOK_SECRET); repeat it to
                          sign with several, as a sender rotating its secret does
  --timestamp <seconds>   Unix time to sign at (default: now)
  --body <file>           read the body from a file instead of stdin
  --json                  print { "x-together-signature": …, "x-together-timestamp": … }
  -h, --help              show this help

Example:
  together-webhooks sign --secret whsec_example < body.json > headers.txt
  curl http://127.0.0.1:4000/webhooks --data-binary @body.json \\
    -H 'content-type: application/json' -H @headers.txt`,
  async run(args, context) {
    const { values } = parse(args, { options });
    const secrets = secretsFrom(values.secret, context);
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
    const signatures = secrets.map((secret) => signWith(body, secret, timestamp));
    const headers = { [SIGNATURE_HEADER]: signatures.join(','), [TIMESTAMP_HEADER]: String(timestamp) };
    if (values.json) writeJson(context, headers);
    else for (const [name, value] of Object.entries(headers)) context.stdout.write(`${name}: ${value}\n`);
    return EXIT.ok;
  },
};

function signWith(body: Uint8Array, secret: string, timestamp: number): string {
  try {
    return signBody(body, { secret, timestamp })[SIGNATURE_HEADER];
  } catch (error) {
    // The core refuses a secret with surrounding whitespace: say so as a usage error.
    if (error instanceof TypeError) throw new UsageError(error.message.replace(/^secret/, '--secret'));
    throw error;
  }
}
