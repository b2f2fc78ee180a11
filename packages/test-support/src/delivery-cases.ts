/**
 * @module delivery-cases — one table of delivery cases that every adapter runs through a real
 * server (or, for Lambda, real-shaped events): what is sent, and what the answer must be.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, notUtf8Event, signedBytes, signedDelivery, standardDelivery, type SignedDelivery } from './deliveries.js';
import { sendRequest, type WireAnswer, type WireOptions } from './http.js';
import { close, listen } from './ports.js';
import { HANDLER_FAILURE_MESSAGE, TABLE_MAX_BODY_BYTES, TABLE_PATHS, tableReceivers, type TableRoute } from './receivers.js';

export { TABLE_MAX_BODY_BYTES, TABLE_PATHS, type TableRoute } from './receivers.js';

/** One request of a case: the route's path and the bytes as they go on the wire. */
export interface CaseRequest extends WireOptions {
  path: string;
}

/** The answer to one request: status, lowercase headers, JSON body. */
export type CaseAnswer = Pick<WireAnswer, 'status' | 'headers' | 'body'>;

/** A running adapter the table sends its cases to. */
export interface CaseTarget {
  send(request: CaseRequest): Promise<CaseAnswer>;
  /**
   * How many times a handler ran for an event id, when the receivers live in another process (a
   * runtime started as a child builds them there with `tableReceivers()`); else the table counts.
   */
  handlerRuns?(id: string): Promise<number>;
  close(): Promise<void>;
}

/** Starts an adapter around the table's receivers: one route per receiver, at its path. */
export type StartTarget = (routes: readonly TableRoute[]) => Promise<CaseTarget>;

/** What an adapter answers when a body parser of its framework runs before it, or why there is none. */
export type ParserFirst =
  | {
      /** The parser, as mounted on the route (`express.json()`). */
      parser: string;
      /** `processed`: the adapter verifies what the parser kept; `misconfigured`: 500 `failed`, and `onError` names the fix. */
      answers: 'processed' | 'misconfigured';
    }
  | { none: string };

/** Where an adapter legitimately answers a case differently; each with the reason. */
export interface Differences {
  parserFirst: ParserFirst;
  /**
   * Set when the target is not an HTTP server but gets each request whole (Lambda's events): the
   * framing and unfinished-body cases then send the whole body, with or without `content-length`.
   */
  wholeBodies?: string;
  /** The `connection` header of a 413, when it is not `close` (the adapter does not own the connection). */
  tooLargeConnection?: { expect: 'absent' | 'any'; reason: string };
}

/** An HTTP target: the table's requests go to `baseUrl` over real HTTP. */
export function httpTarget(baseUrl: string, stop: () => Promise<void>, handlerRuns?: (id: string) => Promise<number>): CaseTarget {
  const target: CaseTarget = {
    send: ({ path, ...wire }) => sendRequest(`${baseUrl}${path}`, wire),
    close: stop,
  };
  if (handlerRuns) target.handlerRuns = handlerRuns;
  return target;
}

/** Serves a Node `http.Server` on a free loopback port as a target. */
export async function serveNode(server: Server): Promise<CaseTarget> {
  return httpTarget(await listen(server), () => close(server));
}

const JSON_TYPE = 'application/json; charset=utf-8';
const unixNow = (): number => Math.floor(Date.now() / 1000);
const withoutHeader = (headers: Record<string, string>, name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));
const on = (path: string, delivery: SignedDelivery<string | Uint8Array>, wire: Partial<WireOptions> = {}): CaseRequest => ({
  path,
  headers: delivery.headers,
  body: delivery.body,
  ...wire,
});

const processed = (id: string, outcome = 'processed') => ({ status: 200, body: { ok: true, outcome, id } });
const rejected = (status: number, error: string) => ({ status, body: { ok: false, outcome: 'rejected', error } });
const failed = (id?: string) => ({ status: 500, body: id === undefined ? { ok: false, outcome: 'failed' } : { ok: false, outcome: 'failed', id } });

/** One case, made fresh for each run: its requests, and what they must get. */
interface CaseRun {
  /** The event id the requests carry. */
  id: string;
  requests: CaseRequest[];
  /** Send every request at once, instead of one after another. */
  concurrent?: boolean;
  /** Each answer's status and body, in order (a rejection's `message` is not compared); or a check of them all. */
  answers: { status: number; body: Record<string, unknown> }[] | ((answers: CaseAnswer[]) => void);
  /** How many times the handlers run for the event (a throwing attempt counts). */
  runs: number;
  /** The phases `onError` hears about for the event (checked when the receivers run in this process). */
  reported?: string[];
}

interface Case {
  name: string;
  /** Why this adapter answers it its own way (shown in the test's name). */
  note?: string;
  make(): CaseRun;
}

/** The names of the table's cases, in order. */
export const DELIVERY_CASES = [
  'a valid delivery',
  'the same delivery again: a duplicate, handlers not run again',
  'a tampered body',
  'a stale timestamp (an hour old)',
  'a timestamp an hour in the future',
  'no signature header',
  'no timestamp header',
  'an oversized body announced by content-length, answered before the body is sent',
  'an oversized chunked body, answered once it passes the limit',
  'a chunked delivery (no content-length)',
  'a body that is not UTF-8, signed over its exact bytes',
  'a body parser of the framework ran first',
  '20 concurrent copies of one event: the handler runs once',
  "a handler that throws (500, its message never sent), then the sender's retry",
  'Standard Webhooks: a valid delivery',
  'Standard Webhooks: the same delivery again',
  'Standard Webhooks: a tampered body',
] as const;

type CaseName = (typeof DELIVERY_CASES)[number];

function cases(differences: Differences): Case[] {
  const { together, standard, parsed } = TABLE_PATHS;
  const oversized = (): SignedDelivery => signedDelivery({ event: makeEvent({ padTo: 8 * TABLE_MAX_BODY_BYTES }) });
  const byName: Record<CaseName, Omit<Case, 'name'>> = {
    'a valid delivery': {
      make: () => {
        const d = signedDelivery();
        return { id: d.id, requests: [on(together, d)], answers: [processed(d.id)], runs: 1 };
      },
    },
    'the same delivery again: a duplicate, handlers not run again': {
      make: () => {
        const d = signedDelivery();
        return { id: d.id, requests: [on(together, d), on(together, d)], answers: [processed(d.id), processed(d.id, 'duplicate')], runs: 1 };
      },
    },
    'a tampered body': {
      make: () => {
        const d = signedDelivery();
        return { id: d.id, requests: [on(together, { ...d, body: d.body.replace('"completed"', '"cancelled"') })], answers: [rejected(401, 'signature_mismatch')], runs: 0 };
      },
    },
    'a stale timestamp (an hour old)': {
      make: () => {
        const d = signedDelivery({ timestamp: unixNow() - 3600 });
        return { id: d.id, requests: [on(together, d)], answers: [rejected(401, 'timestamp_too_old')], runs: 0 };
      },
    },
    'a timestamp an hour in the future': {
      make: () => {
        const d = signedDelivery({ timestamp: unixNow() + 3600 });
        return { id: d.id, requests: [on(together, d)], answers: [rejected(401, 'timestamp_in_future')], runs: 0 };
      },
    },
    'no signature header': {
      make: () => {
        const d = signedDelivery();
        return { id: d.id, requests: [on(together, { ...d, headers: withoutHeader(d.headers, 'x-together-signature') })], answers: [rejected(401, 'missing_signature')], runs: 0 };
      },
    },
    'no timestamp header': {
      make: () => {
        const d = signedDelivery();
        return { id: d.id, requests: [on(together, { ...d, headers: withoutHeader(d.headers, 'x-together-timestamp') })], answers: [rejected(401, 'missing_timestamp')], runs: 0 };
      },
    },
    // 1 KiB of a declared 64 KiB is sent and the request left open: only a server that decided from
    // content-length answers.
    'an oversized body announced by content-length, answered before the body is sent': {
      ...(differences.wholeBodies === undefined ? {} : { note: differences.wholeBodies }),
      make: () => {
        const d = oversized();
        return { id: d.id, requests: [on(together, d, { sendOnly: 1024 })], answers: [rejected(413, 'payload_too_large')], runs: 0 };
      },
    },
    // 12 KiB of chunks and no last chunk: only a server that stopped at the 8 KiB limit answers.
    'an oversized chunked body, answered once it passes the limit': {
      ...(differences.wholeBodies === undefined ? {} : { note: differences.wholeBodies }),
      make: () => {
        const d = oversized();
        return { id: d.id, requests: [on(together, d, { framing: 'chunked', sendOnly: 12 * 1024 })], answers: [rejected(413, 'payload_too_large')], runs: 0 };
      },
    },
    'a chunked delivery (no content-length)': {
      ...(differences.wholeBodies === undefined ? {} : { note: differences.wholeBodies }),
      make: () => {
        const d = signedDelivery({ event: makeEvent({ padTo: 3 * 1024 }) });
        return { id: d.id, requests: [on(together, d, { framing: 'chunked' })], answers: [processed(d.id)], runs: 1 };
      },
    },
    'a body that is not UTF-8, signed over its exact bytes': {
      make: () => {
        const d = signedDelivery();
        const bytes = signedBytes(d.id, notUtf8Event(d.id));
        return { id: d.id, requests: [on(together, bytes)], answers: [processed(d.id)], runs: 1 };
      },
    },
    'a body parser of the framework ran first': {
      note: 'none' in differences.parserFirst ? differences.parserFirst.none : `${differences.parserFirst.parser}: ${differences.parserFirst.answers}`,
      make: () => {
        const d = signedDelivery();
        const misconfigured = 'answers' in differences.parserFirst && differences.parserFirst.answers === 'misconfigured';
        return {
          id: d.id,
          requests: [on(parsed, d)],
          answers: misconfigured ? [failed()] : [processed(d.id)],
          runs: misconfigured ? 0 : 1,
        };
      },
    },
    '20 concurrent copies of one event: the handler runs once': {
      make: () => {
        const d = signedDelivery({ event: makeEvent({ type: 'batch.completed' }) });
        return {
          id: d.id,
          concurrent: true,
          requests: Array.from({ length: 20 }, () => on(together, d)),
          runs: 1,
          answers: (answers) => {
            expect(answers.filter((answer) => answer.body.outcome === 'processed'), 'exactly one copy is processed').toHaveLength(1);
            for (const answer of answers) {
              if (answer.body.outcome === 'processed') expect(answer).toMatchObject(processed(d.id));
              else if (answer.body.outcome === 'duplicate') expect(answer).toMatchObject(processed(d.id, 'duplicate'));
              else {
                expect(answer).toMatchObject({ status: 409, body: { ok: false, outcome: 'in_progress', id: d.id } });
                expect(answer.headers['retry-after'], 'a 409 says when to retry').toMatch(/^[1-9][0-9]*$/);
              }
            }
          },
        };
      },
    },
    "a handler that throws (500, its message never sent), then the sender's retry": {
      make: () => {
        const d = signedDelivery({ event: makeEvent({ type: 'batch.failed' }) });
        return { id: d.id, requests: [on(together, d), on(together, d)], answers: [failed(d.id), processed(d.id)], runs: 2, reported: ['handler'] };
      },
    },
    'Standard Webhooks: a valid delivery': {
      make: () => {
        const d = standardDelivery();
        return { id: d.id, requests: [on(standard, d)], answers: [processed(d.id)], runs: 1 };
      },
    },
    'Standard Webhooks: the same delivery again': {
      make: () => {
        const d = standardDelivery();
        return { id: d.id, requests: [on(standard, d), on(standard, d)], answers: [processed(d.id), processed(d.id, 'duplicate')], runs: 1 };
      },
    },
    'Standard Webhooks: a tampered body': {
      make: () => {
        const d = standardDelivery();
        return { id: d.id, requests: [on(standard, { ...d, body: d.body.replace('"completed"', '"cancelled"') })], answers: [rejected(401, 'signature_mismatch')], runs: 0 };
      },
    },
  };
  return DELIVERY_CASES.map((name) => ({ name, ...byName[name] }));
}

/**
 * Registers the table of delivery cases for one adapter: one server (`start`) for the whole table,
 * serving the table's receivers, and one test per case that sends it and checks the status, the
 * outcome, the error code and how many times the handlers ran.
 *
 * @param name - the adapter as the test output names it (`Express 5`, `Hono on Bun`)
 * @param start - starts the adapter around the receivers' routes
 * @param differences - what this adapter answers its own way, each with why
 * @example
 * ```ts
 * describeDeliveryCases('Express 5', async (routes) => {
 *   const app = express();
 *   for (const route of routes) app.post(route.path, ...(route.parserFirst ? [express.json()] : []), togetherWebhooks(route.webhooks));
 *   return serveNode(createServer(app));
 * }, { parserFirst: { parser: 'express.json()', answers: 'misconfigured' } });
 * ```
 */
export function describeDeliveryCases(name: string, start: StartTarget, differences: Differences): void {
  describe(`the delivery cases: ${name}`, () => {
    const receivers = tableReceivers({ parserFirst: !('none' in differences.parserFirst) });
    let target: CaseTarget | undefined;
    beforeAll(async () => {
      target = await start(receivers.routes);
    });
    afterAll(async () => {
      await target?.close();
    });

    for (const row of cases(differences)) {
      // Registered only where it applies: a target with no body parser says why in its differences.
      if (row.name === 'a body parser of the framework ran first' && 'none' in differences.parserFirst) continue;
      const title = row.note === undefined ? row.name : `${row.name} [${row.note}]`;
      it(title, async () => {
        const { id, requests, concurrent, answers: expected, runs, reported = [] } = row.make();
        const send = (request: CaseRequest): Promise<CaseAnswer> => target!.send(request);
        const answers = concurrent ? await Promise.all(requests.map(send)) : [];
        if (!concurrent) for (const request of requests) answers.push(await send(request));

        if (typeof expected === 'function') expected(answers);
        else {
          expect(answers.map(({ status, body }) => ({ status, body: { ...body, message: undefined } }))).toEqual(
            expected.map(({ status, body }) => ({ status, body: { ...body, message: undefined } })),
          );
        }
        for (const answer of answers) {
          expect(answer.headers['content-type'], 'every answer is JSON').toBe(JSON_TYPE);
          expect(JSON.stringify(answer.body)).not.toContain(HANDLER_FAILURE_MESSAGE);
          if (answer.status === 413) expectConnection(answer, differences);
        }
        if (target!.handlerRuns) expect(await target!.handlerRuns(id), 'handler runs').toBe(runs);
        else {
          expect(receivers.handlerRuns(id), 'handler runs').toBe(runs);
          const phases = receivers.errors.filter(({ context }) => context.event?.id === id).map(({ context }) => context.phase);
          expect(phases, 'what onError heard about this event').toEqual(reported);
        }
      });
    }
  });
}

function expectConnection(answer: CaseAnswer, differences: Differences): void {
  const connection = answer.headers.connection;
  const expected = differences.tooLargeConnection?.expect ?? 'close';
  if (expected === 'close') expect(connection, 'a 413 closes the connection: the rest of the body is never read').toBe('close');
  if (expected === 'absent') expect(connection).toBeUndefined();
}
