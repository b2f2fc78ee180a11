/**
 * @module receivers — the receivers behind the table of delivery cases, and the paths they are
 * served on. Runtime-neutral (it imports only the core): a target that runs in Bun, Deno or workerd
 * builds the same receivers there.
 */
import { createWebhooks, memoryStore, standardWebhooksScheme, type WebhookErrorContext, type Webhooks } from '@x/together-webhooks-core';
import { STANDARD_TEST_SECRET, TEST_SECRET } from './secrets.js';

/** The receivers' body limit: every delivery of the table fits, the oversized ones are 8 times larger. */
export const TABLE_MAX_BODY_BYTES = 8 * 1024;

/** Where a target serves each receiver. */
export const TABLE_PATHS = {
  /** The `x-together-*` receiver, nothing in front of it. */
  together: '/webhooks/together',
  /** The Standard Webhooks receiver. */
  standard: '/webhooks/standard',
  /** The `x-together-*` receiver again, behind a body parser of the framework's. */
  parsed: '/webhooks/parsed',
} as const;

/** What the handler of `batch.failed` throws on an event's first attempt; no answer may contain it. */
export const HANDLER_FAILURE_MESSAGE = 'handler failed on purpose: internal detail 7f3a';

/** One route a target serves. */
export interface TableRoute {
  path: string;
  webhooks: Webhooks;
  /** Whether the framework's body parser runs on this route before the adapter. */
  parserFirst: boolean;
}

/** The receivers of one table run. */
export interface TableReceivers {
  routes: TableRoute[];
  /** How many times a handler was called for the event `id` (a throwing attempt counts). */
  handlerRuns(id: string): number;
  /** What the receivers reported through `onError`. */
  readonly errors: { error: unknown; context: WebhookErrorContext }[];
}

/**
 * Builds the table's receivers, each over its own memory store: `fine_tune.completed` counts a run,
 * `batch.completed` counts one after 30 ms (so concurrent copies overlap), and `batch.failed` throws
 * on an event's first attempt and succeeds on its retry.
 *
 * @param options - `parserFirst: false` leaves out the route behind a body parser
 * @returns the routes to serve and what they recorded
 */
export function tableReceivers(options: { parserFirst?: boolean } = {}): TableReceivers {
  const runs = new Map<string, number>();
  const errors: TableReceivers['errors'] = [];
  const count = (id: string): number => {
    const attempt = (runs.get(id) ?? 0) + 1;
    runs.set(id, attempt);
    return attempt;
  };
  const receiver = (extra: { secret: string; scheme?: ReturnType<typeof standardWebhooksScheme> }): Webhooks =>
    createWebhooks({
      ...extra,
      store: memoryStore(),
      maxBodyBytes: TABLE_MAX_BODY_BYTES,
      onError: (error, context) => errors.push({ error, context }),
    })
      .on('fine_tune.completed', (event) => {
        count(event.id);
      })
      .on('batch.completed', async (event) => {
        count(event.id);
        await new Promise((resolve) => setTimeout(resolve, 30));
      })
      .on('batch.failed', (event) => {
        if (count(event.id) === 1) throw new Error(HANDLER_FAILURE_MESSAGE);
      });
  const together = receiver({ secret: TEST_SECRET });
  const routes: TableRoute[] = [
    { path: TABLE_PATHS.together, webhooks: together, parserFirst: false },
    { path: TABLE_PATHS.standard, webhooks: receiver({ secret: STANDARD_TEST_SECRET, scheme: standardWebhooksScheme() }), parserFirst: false },
  ];
  if (options.parserFirst !== false) routes.push({ path: TABLE_PATHS.parsed, webhooks: together, parserFirst: true });
  return { routes, handlerRuns: (id) => runs.get(id) ?? 0, errors };
}
