/**
 * @module commands/watch — `together-webhooks watch`: the event source as a long-running process.
 * Polls Together AI's job API with `watchTogetherJobs` and forwards each state change, signed, to
 * a webhook URL; one status line per poll; a clean stop on SIGTERM or Ctrl-C.
 */
import {
  DEFAULT_INTERVAL_MS,
  fileWatchState,
  LISTED_RESOURCES,
  watchTogetherJobs,
  type ListedResource,
  type PollReport,
  type WatchErrorContext,
  type WatchState,
} from '@x/together-webhooks-watch';
import { redisWatchState } from '@x/together-webhooks-redis';
import { Redis } from 'ioredis';
import { commonOptions, integer, parse, secretsFrom } from '../args.js';
import { writeJson, type Command } from '../command.js';
import { styleFor } from '../context.js';
import { CommandError, EXIT, UsageError } from '../errors.js';
import { checkSecrets, schemeFrom, schemes } from '../schemes.js';

const options = {
  ...commonOptions,
  scheme: { type: 'string' },
  forward: { type: 'string' },
  secret: { type: 'string', multiple: true },
  resources: { type: 'string' },
  interval: { type: 'string' },
  state: { type: 'string' },
  'base-url': { type: 'string' },
} as const;

/** The state `--state` names: a file, or a Redis URL; and how to let go of it at the end. */
interface OpenedState {
  state: WatchState;
  label: string;
  close(): Promise<void>;
}

function openState(value: string | undefined): OpenedState | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError('--state is empty: give a file path or a redis:// URL');
  if (/^rediss?:\/\//.test(value)) {
    let client: Redis;
    try {
      // Fail fast while Redis is down: a poll reports the error and the next poll tries again.
      client = new Redis(value, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true });
    } catch {
      throw new UsageError(`--state ${JSON.stringify(value)} is not a Redis URL`);
    }
    // Errors reach the poll that needs Redis; the client's own 'error' events would otherwise end the process.
    client.on('error', () => undefined);
    const url = new URL(value);
    return {
      state: redisWatchState({ client }),
      label: `${url.protocol}//${url.host}${url.pathname}`,
      close: async () => {
        client.disconnect();
        await Promise.resolve();
      },
    };
  }
  return { state: fileWatchState(value), label: value, close: () => Promise.resolve() };
}

function resourcesFrom(value: string | undefined): ListedResource[] {
  if (value === undefined) return [...LISTED_RESOURCES];
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) throw new UsageError(`--resources is empty: name some of ${LISTED_RESOURCES.join(', ')}`);
  for (const name of names) {
    if (!LISTED_RESOURCES.some((listed) => listed === name)) {
      throw new UsageError(`--resources: ${JSON.stringify(name)} is not one of ${LISTED_RESOURCES.join(', ')}`);
    }
  }
  return names as ListedResource[];
}

function forwardUrl(value: string | undefined): URL {
  if (value === undefined) throw new UsageError('--forward <url> is required: the webhook URL events are POSTed to');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--forward must be an absolute http: or https: URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--forward must be an http: or https: URL, got ${JSON.stringify(value)}`);
  return url;
}

// One line: a wrong API key fails every poll, and a stack each time would bury the reason.
const oneLine = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message.split('\n', 1)[0]!}` : String(error));

export const watch: Command = {
  name: 'watch',
  summary: 'poll Together AI’s job API and forward each job state change as a signed delivery',
  usage:
    'together-webhooks watch --forward <url> [--secret <secret>]… [--scheme together|standard] [--resources <list>] [--interval <ms>] [--state <file>|redis://…] [--json]',
  help: `Runs the event source: polls Together AI's job API (fine-tunes, batches, dedicated endpoints,
evaluations, model uploads) and POSTs each job state change to --forward as a signed delivery,
with retries. One status line per poll. Stops cleanly on Ctrl-C (SIGINT) or SIGTERM: the poll in
flight is aborted and what it delivered is saved.

Options:
  --forward <url>        where deliveries are POSTed (your receiver's webhook URL)
  --secret <secret>      the secret deliveries are signed with (default: $TOGETHER_WEBHOOK_SECRET);
                         repeat it to sign with several, as during a rotation
  --scheme <scheme>      together (default: x-together-* headers) or standard (Standard Webhooks)
  --resources <list>     comma-separated, of ${LISTED_RESOURCES.join(', ')} (default: all)
  --interval <ms>        time between polls (default ${DEFAULT_INTERVAL_MS})
  --state <where>        where what was announced and what is still to deliver are kept, so a
                         restart announces only what changed: a file path, or a redis:// URL
                         (default: memory, forgotten at exit)
  --base-url <url>       Together's API (default: $TOGETHER_BASE_URL, else https://api.together.ai/v1)
  --json                 one JSON object a line: {"event":"watching",…}, one {"event":"poll",…}
                         per poll, {"event":"error",…}, then {"event":"stopped",…}
  -h, --help             show this help

Environment:
  TOGETHER_API_KEY          the Together API key (required)
  TOGETHER_WEBHOOK_SECRET   the signing secret, when --secret is not given

Exit code: 0 after a clean stop; 1 when it cannot start (no API key); 2 bad arguments.`,
  async run(args, context) {
    const { values } = parse(args, { options });
    const url = forwardUrl(values.forward);
    const scheme = schemeFrom(values.scheme);
    const secrets = secretsFrom(values.secret, context);
    checkSecrets(secrets, scheme, values.secret);
    const resources = resourcesFrom(values.resources);
    const intervalMs = integer(values.interval, 'interval', { min: 10, max: 86_400_000, fallback: DEFAULT_INTERVAL_MS });
    const apiKey = context.env.TOGETHER_API_KEY;
    if (apiKey === undefined || apiKey.trim() === '') throw new CommandError('no Together API key: set TOGETHER_API_KEY');
    const baseURL = values['base-url'] ?? context.env.TOGETHER_BASE_URL;
    const json = values.json === true;
    const style = styleFor(context.stdout, context.env, json);
    const opened = openState(values.state);

    const status = (report: PollReport): void => {
      if (json) {
        writeJson(context, { event: 'poll', time: new Date().toISOString(), ...report });
        return;
      }
      const time = new Date().toTimeString().slice(0, 8);
      const line = `${report.requests} requests, ${report.announced} announced, ${report.delivered} delivered, ${report.pending} pending${report.stateWritten ? ', state saved' : ''}`;
      context.stdout.write(`${style.dim(time)}  ${report.failed ? style.yellow('poll') : style.green('poll')}  ${line}\n`);
    };
    const failure = (error: unknown, where: WatchErrorContext): void => {
      const message = oneLine(error);
      if (json) writeJson(context, { event: 'error', phase: where.phase, resource: where.resource, jobId: where.jobId, eventId: where.event?.id, message });
      else context.stderr.write(`together-webhooks watch: ${where.phase} error${where.resource ? ` (${where.resource})` : ''}: ${message}\n`);
    };

    const watcher = watchTogetherJobs({
      apiKey,
      ...(baseURL === undefined ? {} : { baseURL }),
      deliver: { url, secret: secrets, scheme: schemes[scheme] },
      resources,
      intervalMs,
      ...(opened ? { state: opened.state } : {}),
      onPoll: status,
      onError: failure,
    });

    // Listening for the stop signals first: a SIGTERM during the first poll must stop cleanly.
    const stopped = context.waitForStop();
    if (json) writeJson(context, { event: 'watching', forward: url.href, scheme, resources, intervalMs, state: opened?.label ?? 'memory' });
    else {
      context.stdout.write(`${style.green('watching')} ${resources.join(', ')} every ${intervalMs} ms, forwarding to ${style.bold(url.href)}\n`);
      context.stdout.write(style.dim(`state: ${opened?.label ?? 'memory (forgotten at exit)'}; Ctrl-C to stop`) + '\n');
    }
    await watcher.start();
    const signal = await stopped;
    await watcher.stop();
    await opened?.close();
    if (json) writeJson(context, { event: 'stopped', signal });
    else context.stdout.write(style.dim(`stopped (${signal})`) + '\n');
    return EXIT.ok;
  },
};
