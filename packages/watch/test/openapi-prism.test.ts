import { eventCatalog, isTogetherEventType, type TogetherEvent, type WebhookResult } from '@x/together-webhooks-core';
import type { EventRouter } from '@x/together-webhooks-core';
import { Together } from 'together-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LISTED_RESOURCES, memoryWatchState, pollTogetherJobs, type WatchErrorContext } from '../src/index.js';
import { resourceKinds, type TrackedResource } from '../src/resources.js';
import { skipWithoutPrism, startPrism, type PrismMock } from './openapi.js';

const POLLS = 50;

// The id forms of event.ts: `<resource>:<job id>:<state>` and `fine_tune:<job id>:<entry type>:<position>`.
function idProblem(event: TogetherEvent): string | undefined {
  const [resource, ...rest] = event.id.split(':');
  const kind = resourceKinds[resource as TrackedResource] as (typeof resourceKinds)[TrackedResource] | undefined;
  if (kind === undefined) return `${event.id}: no resource ${String(resource)}`;
  const state = rest.at(-1)!;
  if (kind.states.includes(state) && kind.events[state] === event.type) return undefined;
  const [entryType, position] = rest.slice(-2);
  if (kind.progress?.[entryType!] === event.type && /^\d+$/.test(position ?? '')) return undefined;
  return `${event.id} does not announce ${event.type}`;
}

const WATCHED: readonly TrackedResource[] = [...LISTED_RESOURCES, 'video'];

/**
 * A client whose answers are Prism's, with two fields set that no mock generated from a schema
 * can get right. Prism makes each answer on its own, so a retrieve names a random job, never the
 * one asked for (and the watcher, rightly, refuses an answer about another job): the asked id is
 * written back. The description types a `GET /jobs` entry's `type` as any string, so no random
 * one is `model_upload`: every other entry is made one (the rest test the filter). Every other
 * byte is Prism's.
 */
function prismClient(baseURL: string): Together {
  const retrieved = WATCHED.map((resource) => [resourceKinds[resource], new RegExp(`^${resourceKinds[resource].path}/([^/]+)$`)] as const);
  const fetchAdjusted = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await fetch(input, init);
    const path = new URL(typeof input === 'string' || input instanceof URL ? input : input.url).pathname;
    const retrieve = retrieved.find(([, pattern]) => pattern.test(path));
    if (!response.ok || (retrieve === undefined && path !== resourceKinds.model_upload.path)) return response;
    const body = (await response.json()) as unknown;
    if (retrieve !== undefined && typeof body === 'object' && body !== null) {
      (body as Record<string, unknown>)[retrieve[0].idField] = decodeURIComponent(retrieve[1].exec(path)![1]!);
    }
    const jobs = retrieve === undefined ? (body as { data?: unknown } | null)?.data : undefined;
    if (Array.isArray(jobs)) jobs.forEach((job: Record<string, unknown>, index) => index % 2 === 0 && typeof job === 'object' && job !== null && (job['type'] = 'model_upload'));
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    return new Response(JSON.stringify(body), { status: response.status, headers });
  };
  return new Together({ apiKey: 'prism-accepts-any-bearer', baseURL, maxRetries: 0, fetch: fetchAdjusted });
}

describe.skipIf(skipWithoutPrism)('the watcher against a mock generated from Together’s OpenAPI description (Prism, dynamic answers)', () => {
  let prism: PrismMock | undefined;
  beforeAll(async () => {
    try {
      prism = await startPrism();
    } catch (error) {
      // Under CI a mock that cannot start is a failure; elsewhere the test is skipped, loudly.
      if (process.env['CI']) throw error;
      console.warn(`\n*** prism mock could not start: the OpenAPI mock test is SKIPPED.\n*** ${String(error)}\n`);
    }
  }, 90_000);
  afterAll(async () => {
    await prism?.stop();
  });

  it(`${POLLS} polls over every resource: never throws, each resource announces, and every event has a catalog type, the id form and its parsed id and state`, async (context) => {
    if (prism === undefined) return context.skip();
    const delivered: TogetherEvent[] = [];
    const router = {
      dispatch: (event: TogetherEvent) => {
        delivered.push(event);
        return Promise.resolve({ outcome: 'processed', status: 200 } as WebhookResult);
      },
    } as unknown as EventRouter;
    const errors: [unknown, WatchErrorContext][] = [];
    const state = memoryWatchState();
    const client = prismClient(prism.baseURL);
    let requests = 0;
    for (let poll = 0; poll < POLLS; poll++) {
      const report = await pollTogetherJobs({
        client,
        deliver: router,
        state,
        resources: LISTED_RESOURCES,
        // Prism's dates are anywhere in the last centuries: announce every job it shows.
        lookbackMs: 1e15,
        jobs: [{ resource: 'video', id: 'video-tracked' }],
        onError: (error, context) => errors.push([error, context]),
      });
      requests += report.requests;
    }
    expect(requests).toBeGreaterThanOrEqual(POLLS * (LISTED_RESOURCES.length + 1));
    const byResource = Object.fromEntries(WATCHED.map((resource) => [resource, delivered.filter((event) => event.id.startsWith(`${resource}:`)).length]));
    expect(WATCHED.filter((resource) => byResource[resource] === 0), `events by resource: ${JSON.stringify(byResource)}`).toEqual([]);
    expect(delivered.filter((event) => !isTogetherEventType(event.type)).map((event) => event.type)).toEqual([]);
    expect(delivered.map(idProblem).filter((problem) => problem !== undefined)).toEqual([]);
    // What the watcher parsed out of `data` (its id and state) is what the event says. (Prism's
    // random objects do not all validate against Together's own schemas, which have ambiguous
    // oneOfs: `data` itself is passed on untouched, so it is not validated here.)
    const mismatched = delivered.flatMap((event) => {
      const [resource, ...rest] = event.id.split(':') as [TrackedResource, ...string[]];
      const kind = resourceKinds[resource];
      const data = event.data as Record<string, unknown>;
      const progress = event.type === 'fine_tune.checkpoint_saved' || event.type === 'fine_tune.epoch_completed';
      const id = progress ? rest.slice(0, -2).join(':') : rest.slice(0, -1).join(':');
      const stateOk = progress ? typeof (data['entry'] as { type?: unknown } | undefined)?.type === 'string' : data[kind.stateField] === rest.at(-1);
      return data[kind.idField] === id && stateOk ? [] : [event.id];
    });
    expect(mismatched).toEqual([]);
    // Errors are reported, one line each, and never end the loop; nothing but Together's answers causes them.
    for (const [error, context] of errors) {
      expect(context.phase).toBe('poll');
      expect(error instanceof Error && !error.message.includes('\n')).toBe(true);
    }
    const types = new Set(delivered.map((event) => event.type));
    console.info(
      `prism: ${requests} requests, ${delivered.length} events of ${types.size} types (of ${Object.keys(eventCatalog).length}) ${JSON.stringify(byResource)}, ${errors.length} errors reported`,
    );
  }, 120_000);
});
