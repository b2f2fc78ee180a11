/**
 * @module commands/listen — `together-webhooks listen`: a local receiver that verifies each
 * delivery, prints it with its outcome, and answers as a together-webhooks app would.
 */
import { commonOptions, integer, parse, secretsFrom } from '../args.js';
import { writeJson, type Command } from '../command.js';
import { styleFor, type Context } from '../context.js';
import { CommandError, EXIT, UsageError } from '../errors.js';
import { startReceiver, type Delivery, type Receiver } from '../receiver.js';
import { checkSecrets, schemeFrom, schemeLabels, schemeOption, schemes } from '../schemes.js';
import type { Style } from '../style.js';

const options = {
  ...commonOptions,
  ...schemeOption,
  port: { type: 'string', short: 'p' },
  secret: { type: 'string', multiple: true },
  path: { type: 'string' },
  delay: { type: 'string' },
} as const;

const DEFAULT_PORT = 4000;

export const listen: Command = {
  name: 'listen',
  summary: 'run a local receiver that verifies and prints each delivery',
  usage: 'together-webhooks listen [--port <port>] [--scheme together|standard] [--secret <secret>]… [--path <path>]',
  help: `Runs a receiver on 127.0.0.1: the core's createWebhooks() pipeline with memoryStore(), so it
verifies, deduplicates by event id and answers exactly as an app using together-webhooks does
(status, headers and the JSON body with its "outcome"). Each delivery is printed with its outcome;
the first delivery of an event is printed whole. Stops on Ctrl-C (SIGINT) or SIGTERM.

Options:
  -p, --port <port>      the port (default: $PORT, else ${DEFAULT_PORT}); 0 picks a free one, and the
                         URL printed says which
  --scheme <scheme>      the deliveries' scheme: together (default: x-together-* headers) or
                         standard (Standard Webhooks: webhook-* headers, whsec_ secrets; the
                         event id is the webhook-id)
  --secret <secret>      the secret (default: $TOGETHER_WEBHOOK_SECRET); repeat it to accept
                         several, as during a rotation
  --path <path>          the path deliveries are POSTed to (default /webhooks)
  --delay <ms>           make the handler take this long, to watch concurrent duplicates wait
                         (409 in_progress) (default 0)
  --json                 one JSON object a line: {"event":"listening","scheme":…,…}, then one per
                         delivery
  -h, --help             show this help

Exit code: 0 after a clean stop; 1 when it cannot listen (the port is taken); 2 bad arguments.`,
  async run(args, context) {
    const { values } = parse(args, { options });
    const scheme = schemeFrom(values.scheme);
    const secrets = secretsFrom(values.secret, context);
    checkSecrets(secrets, scheme, values.secret);
    const port = integer(values.port ?? context.env.PORT, values.port === undefined ? 'port (from $PORT)' : 'port', {
      min: 0,
      max: 65_535,
      fallback: DEFAULT_PORT,
    });
    const path = values.path ?? '/webhooks';
    if (!path.startsWith('/')) throw new UsageError(`--path must start with "/", got ${JSON.stringify(path)}`);
    const delayMs = integer(values.delay, 'delay', { min: 0, max: 600_000, fallback: 0 });
    const json = values.json === true;
    const style = styleFor(context.stdout, context.env, json);

    // Listening for the stop signals before the URL is printed: a signal sent as soon as the URL
    // appears must stop the receiver cleanly, not kill the process.
    const stopped = context.waitForStop();
    let receiver: Receiver;
    try {
      receiver = await startReceiver({
        secrets,
        scheme: schemes[scheme],
        port,
        path,
        delayMs,
        onDelivery: (delivery) => (json ? writeJson(context, deliveryJson(delivery)) : printDelivery(delivery, context, style)),
        onError: (error) => context.stderr.write(`together-webhooks listen: ${describeError(error)}\n`),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new CommandError(`port ${port} is in use: pick another with --port, or --port 0 for a free one`);
      if (code === 'EACCES') throw new CommandError(`not allowed to listen on port ${port}: pick one above 1023`);
      throw error;
    }

    if (json) writeJson(context, { event: 'listening', url: receiver.url.href, port: Number(receiver.url.port), scheme });
    else {
      const source = values.secret ? (secrets.length > 1 ? `the ${secrets.length} secrets from --secret` : 'the secret from --secret') : 'the secret from TOGETHER_WEBHOOK_SECRET';
      const what = scheme === 'together' ? '' : ` ${schemeLabels[scheme]} deliveries`;
      context.stdout.write(`${style.green('listening')} on ${style.bold(receiver.url.href)}\n`);
      context.stdout.write(style.dim(`verifying${what} with ${source}; Ctrl-C to stop`) + '\n');
    }

    const signal = await stopped;
    await receiver.close();
    if (json) writeJson(context, { event: 'stopped', signal });
    else context.stdout.write(style.dim(`stopped (${signal})`) + '\n');
    return EXIT.ok;
  },
};

function deliveryJson({ at, result, ms }: Delivery): Record<string, unknown> {
  return {
    event: 'delivery',
    time: at.toISOString(),
    status: result.status,
    outcome: result.outcome,
    id: result.event?.id,
    type: result.event?.type,
    error: result.body.error,
    ms: Math.round(ms * 10) / 10,
  };
}

function printDelivery({ at, result, ms }: Delivery, context: Context, style: Style): void {
  const time = at.toTimeString().slice(0, 8);
  const colour = result.status < 300 ? style.green : result.status === 409 ? style.yellow : style.red;
  const what = result.event ? `${result.event.type} ${result.event.id}` : (result.body.error ?? '');
  context.stdout.write(
    `${style.dim(time)}  ${colour(`${result.status} ${result.outcome.padEnd(11)}`)}  ${what}  ${style.dim(`${ms.toFixed(1)} ms`)}\n`,
  );
  if (result.outcome === 'rejected' && result.body.message) context.stdout.write(`          ${style.dim(result.body.message)}\n`);
  // The first handling of an event is shown whole; duplicates and waits are one line each.
  if (result.event && (result.outcome === 'processed' || result.outcome === 'failed')) {
    const pretty = JSON.stringify(result.event, null, 2).replace(/\n/g, '\n          ');
    context.stdout.write(`          ${style.dim(pretty)}\n`);
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
