/**
 * @module commands/trigger — `together-webhooks trigger`: sends signed deliveries of a realistic
 * event to an endpoint and checks each answer against what a correct receiver says.
 */
import { DEFAULT_TOLERANCE_SECONDS, eventCatalog, isTogetherEventType } from '@x/together-webhooks-core';
import { createTestEvent } from '@x/together-webhooks-core/testing';
import { commonOptions, integer, parse, readFileOption, secretsFrom } from '../args.js';
import { writeJson, type Command } from '../command.js';
import { styleFor } from '../context.js';
import { CommandError, EXIT, UsageError } from '../errors.js';
import { checkSecrets, schemeFrom, schemeLabels, schemeOption, schemes, signHeaders, type SchemeName } from '../schemes.js';
import { closeConnections, deliver, type Answer } from '../send.js';

const options = {
  ...commonOptions,
  ...schemeOption,
  url: { type: 'string' },
  secret: { type: 'string', multiple: true },
  data: { type: 'string' },
  id: { type: 'string' },
  repeat: { type: 'string' },
  concurrency: { type: 'string' },
  stale: { type: 'string' },
  tamper: { type: 'boolean' },
  'any-type': { type: 'boolean' },
  timeout: { type: 'string' },
} as const;

/** What a correct receiver answers this kind of delivery. */
type Expectation = { accept: true } | { accept: false; code: 'signature_mismatch' | 'timestamp_too_old' | 'timestamp_in_future' };

export const trigger: Command = {
  name: 'trigger',
  summary: 'send signed test deliveries of an event type to your endpoint',
  usage:
    'together-webhooks trigger <type> --url <url> [--scheme together|standard] [--secret <secret>]… [--repeat <n>] [--concurrency <c>] [--stale <s>] [--tamper]',
  help: `Sends a signed delivery of a realistic <type> event (see \`together-webhooks types\`), its data
shaped like the Together AI resource, as the together-webhooks watcher sends it, and prints each
answer: HTTP status, outcome (the "outcome" field every together-webhooks receiver answers with)
and time.

Options:
  --url <url>            the endpoint (required)
  --scheme <scheme>      together (default: the event as the body, x-together-* headers) or
                         standard (Standard Webhooks: the body { type, timestamp, data }, the
                         event id in webhook-id, a whsec_ secret)
  --secret <secret>      the signing secret (default: $TOGETHER_WEBHOOK_SECRET); repeat it to
                         sign with several, one signature each, as a sender rotating its secret
                         does
  --data <file>          a JSON object whose fields replace those of the generated data
  --id <id>              the event id (default: a new evt_… id each run)
  --repeat <n>           send the same event (same id) n times (default 1)
  --concurrency <c>      at most c requests at once (default 1: one after another); with
                         --repeat 5 --concurrency 5 all race, and exactly one is processed
  --stale <seconds>      sign that many seconds in the past (--stale=-600: in the future); beyond
                         the ${DEFAULT_TOLERANCE_SECONDS} s window the receiver must answer 401 timestamp_too_old
  --tamper               change the body after signing: the receiver must answer 401
                         signature_mismatch
  --any-type             allow a type outside the catalog (sent with empty data, or --data)
  --timeout <ms>         per request (default 10000)
  --json                 print one JSON object with every answer (and the "scheme")
  -h, --help             show this help

Expected answers: a valid delivery is accepted (200 processed, unhandled or duplicate, or 409
in_progress while another delivery of the same id is being handled); a tampered or stale one is
rejected with 401 and that error.
Exit code: 0 every request got the expected answer; 1 any did not, or the endpoint could not be
reached (the reason on stderr); 2 bad arguments.`,
  async run(args, context) {
    const { values, positionals } = parse(args, { options, allowPositionals: true });
    const [type, ...extra] = positionals;
    if (type === undefined) throw new UsageError('missing the event type: together-webhooks trigger <type> (list them with together-webhooks types)');
    if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}: trigger sends one event type`);
    if (!isTogetherEventType(type) && !values['any-type']) throw new UsageError(unknownType(type));
    if (values.url === undefined) throw new UsageError('missing --url <url>: the endpoint to send to, e.g. --url http://127.0.0.1:4000/webhooks');
    const url = parseUrl(values.url);
    if (values.id === '') throw new UsageError('--id is empty: an event id is a non-empty string');
    const scheme = schemeFrom(values.scheme);
    const secrets = secretsFrom(values.secret, context);
    // A misconfigured secret is a usage error before anything is sent or printed.
    checkSecrets(secrets, scheme, values.secret);
    const repeat = integer(values.repeat, 'repeat', { min: 1, max: 10_000, fallback: 1 });
    const concurrency = integer(values.concurrency, 'concurrency', { min: 1, max: 1000, fallback: 1 });
    const stale = integer(values.stale, 'stale', { min: -1e9, max: Math.floor(Date.now() / 1000), fallback: 0 });
    const timeoutMs = integer(values.timeout, 'timeout', { min: 1, max: 600_000, fallback: 10_000 });
    const data = values.data === undefined ? undefined : await readData(values.data);

    const event = isTogetherEventType(type)
      ? createTestEvent(type, { ...(values.id === undefined ? {} : { id: values.id }), ...(data ? { data } : {}) })
      : { id: values.id ?? createTestEvent('resource.created').id, type, created: new Date().toISOString(), data: data ?? {} };
    // The scheme's body: the event itself, or Standard Webhooks' { type, timestamp, data }.
    const body = schemes[scheme].encode(event);
    const signed = () => signHeaders(body, { secrets, scheme, timestamp: Math.floor(Date.now() / 1000) - stale, id: event.id });
    const expected: Expectation = values.tamper
      ? { accept: false, code: 'signature_mismatch' }
      : Math.abs(stale) > DEFAULT_TOLERANCE_SECONDS
        ? { accept: false, code: stale > 0 ? 'timestamp_too_old' : 'timestamp_in_future' }
        : { accept: true };

    const style = styleFor(context.stdout, context.env, values.json);
    const notes = [scheme === 'together' ? undefined : schemeLabels[scheme], values.tamper ? 'tampered' : stale !== 0 ? `signed ${describeOffset(stale)}` : undefined];
    const kind = notes.some(Boolean) ? ` (${notes.filter(Boolean).join(', ')})` : '';
    if (!values.json) {
      const times = repeat > 1 ? ` ×${repeat}${concurrency > 1 ? `, ${Math.min(concurrency, repeat)} at once` : ''}` : '';
      context.stdout.write(`${style.bold('→')} ${event.type} ${event.id}${kind}${times} to ${url.href}\n`);
    }

    const answers: Answer[] = new Array<Answer>(repeat);
    let next = 0;
    const worker = async () => {
      while (next < repeat) {
        const index = next++;
        // Signed at send time, as a sender's retry is.
        const headers = {
          'content-type': 'application/json',
          'user-agent': 'together-webhooks-cli',
          ...signed(),
        };
        const sent = values.tamper ? tamper(body) : body;
        const answer = await deliver(url, sent, headers, timeoutMs);
        answers[index] = answer;
        if (!values.json) context.stdout.write(formatAnswer(index + 1, answer, expected, scheme, style) + '\n');
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, repeat) }, worker)).finally(closeConnections);

    const verdicts = answers.map((answer) => judge(answer, expected, scheme));
    const failures = verdicts.filter((verdict) => verdict !== undefined);
    const counts: Record<string, number> = {};
    for (const answer of answers) {
      const key = answer.outcome ?? (answer.status === undefined ? 'no answer' : String(answer.status));
      counts[key] = (counts[key] ?? 0) + 1;
    }

    if (values.json) {
      writeJson(context, {
        ok: failures.length === 0,
        scheme,
        type: event.type,
        id: event.id,
        url: url.href,
        expected: expected.accept ? 'accepted' : `rejected: ${expected.code}`,
        counts,
        requests: answers.map((answer, index) => ({ n: index + 1, ...answer, expected: verdicts[index] === undefined, reason: verdicts[index] })),
      });
    } else {
      const summary = Object.entries(counts)
        .map(([key, count]) => `${count} ${key}`)
        .join(', ');
      const verdict = failures.length === 0 ? style.green('as expected') : style.red(`${failures.length} not as expected`);
      context.stdout.write(`${repeat} request${repeat === 1 ? '' : 's'}: ${summary} — ${verdict}\n`);
    }
    if (failures.length === 0) return EXIT.ok;
    throw new CommandError(failures.length === 1 ? (failures[0] ?? '') : `${failures.length} of ${repeat} requests: ${failures[0] ?? ''}`);
  },
};

function unknownType(type: string): string {
  const [resource] = type.split('.');
  const near = Object.keys(eventCatalog).filter((known) => known.startsWith(`${resource ?? ''}.`));
  const hint = near.length > 0 ? ` (${resource ?? ''} types: ${near.join(', ')})` : '';
  return `unknown event type ${JSON.stringify(type)}${hint}; list them with together-webhooks types, or pass --any-type to send a type newer than the catalog`;
}

function parseUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--url ${JSON.stringify(value)} is not a URL: give it whole, e.g. http://127.0.0.1:4000/webhooks`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http or https, got ${url.protocol}`);
  return url;
}

async function readData(path: string): Promise<Record<string, unknown>> {
  const text = new TextDecoder().decode(await readFileOption(path, 'data'));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--data ${path} is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--data ${path} must hold a JSON object (the fields of the event's data to set)`);
  }
  return parsed as Record<string, unknown>;
}

// Adds a field to the data after signing: still a valid event, no longer the signed bytes.
function tamper(body: string): string {
  return body.replace('"data":{', '"data":{"tampered":true,');
}

function describeOffset(stale: number): string {
  return stale > 0 ? `${stale} s ago` : `${-stale} s in the future`;
}

/** Why an answer is not what a correct receiver says, or `undefined` when it is. */
function judge(answer: Answer, expected: Expectation, scheme: SchemeName): string | undefined {
  if (answer.status === undefined) return `no answer from the endpoint: ${answer.error ?? 'unknown error'}`;
  const { status, outcome } = answer;
  if (expected.accept) {
    if (status >= 200 && status < 300 && (outcome === undefined || ['processed', 'unhandled', 'duplicate'].includes(outcome))) return undefined;
    if (status === 409 && outcome === 'in_progress') return undefined;
    if (outcome === 'rejected' && answer.error === 'signature_mismatch') {
      return `a valid delivery was rejected (${status} signature_mismatch): does --secret match the receiver's secret, and does it verify the raw body?`;
    }
    // A receiver of the other scheme finds none of its headers.
    if (outcome === 'rejected' && (answer.error === 'missing_signature' || answer.error === 'missing_id')) {
      return `a valid delivery was rejected (${status} ${answer.error}): this sent --scheme ${scheme}; does the receiver verify that scheme?`;
    }
    if (outcome === 'rejected') return `a valid delivery was rejected (${status} ${answer.error ?? ''}): ${answer.message ?? ''}`.trim();
    if (outcome === 'failed') return `the receiver failed (${status} failed): a handler threw, see the receiver's log`;
    if (outcome === 'store_unavailable') return `the receiver's idempotency store is unavailable (${status})`;
    return `a valid delivery got ${status}${outcome ? ` ${outcome}` : ''}`;
  }
  const what = expected.code === 'signature_mismatch' ? 'a tampered delivery' : 'a stale delivery';
  if (status >= 200 && status < 300) {
    return `the receiver accepted ${what} (${status}${outcome ? ` ${outcome}` : ''}): it must answer 401 ${expected.code}`;
  }
  if (status !== 401) return `${what} got ${status}${outcome ? ` ${outcome}` : ''}: a correct receiver answers 401 ${expected.code}`;
  if (answer.error !== undefined && answer.error !== expected.code) return `${what} was rejected with ${answer.error}, expected ${expected.code}`;
  return undefined;
}

function formatAnswer(n: number, answer: Answer, expected: Expectation, scheme: SchemeName, style: ReturnType<typeof styleFor>): string {
  const good = judge(answer, expected, scheme) === undefined;
  const mark = good ? style.green('✓') : style.red('✗');
  const time = `${answer.ms.toFixed(1)} ms`;
  if (answer.status === undefined) return `  ${mark} #${n}  ${style.red('no answer')}  ${answer.error ?? ''}  ${style.dim(time)}`;
  const outcome = [answer.outcome ?? '-', answer.error].filter(Boolean).join(' ');
  return `  ${mark} #${n}  ${String(answer.status)}  ${outcome.padEnd(28)} ${style.dim(time)}`;
}

