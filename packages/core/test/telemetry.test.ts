/**
 * The `telemetry` hook point (spec section 16): one scope per `handle` and `dispatch`, the
 * handlers run inside it, every store (and queue) call reported to it in order, the answer given
 * to `end`; the trace context of an HTTP delivery's headers reaches it, and in queue mode the
 * scope's context travels with the job. A telemetry that throws changes no answer.
 */
import { describe, expect, it } from 'vitest';
import {
  createEventRouter,
  createWebhooks,
  memoryStore,
  type DeliveryStart,
  type IdempotencyStore,
  type TraceCarrier,
  type WebhookErrorContext,
  type WebhookResult,
  type WebhookTelemetry,
} from '@x/together-webhooks-core';
import { createSignedDelivery, createTestEvent, toRequest } from '@x/together-webhooks-core/testing';

const secret = 'whsec_telemetry_test';
const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const tracestate = 'vendor=value';

interface Recorded {
  start: DeliveryStart;
  /** What happened inside the scope, in order: `verified:<type>`, `run`, `call:<operation>` (`!` when it rejected), `end:<outcome>`. */
  steps: string[];
  result?: WebhookResult;
}

/** A telemetry that records every scope; `inject` answers `carrier`. */
function recordingTelemetry(carrier?: TraceCarrier) {
  const scopes: Recorded[] = [];
  let inRun = 0;
  const telemetry: WebhookTelemetry = {
    startDelivery(start) {
      const recorded: Recorded = { start, steps: [] };
      scopes.push(recorded);
      return {
        verified(event) {
          recorded.steps.push(`verified:${event.type}`);
        },
        run(handlers) {
          recorded.steps.push('run');
          inRun++;
          const settled = () => {
            inRun--;
          };
          const value = handlers();
          void Promise.resolve(value).then(settled, settled);
          return value;
        },
        async call(operation, call) {
          try {
            const value = await call();
            recorded.steps.push(`call:${operation}`);
            return value;
          } catch (error) {
            recorded.steps.push(`call:${operation}!`);
            throw error;
          }
        },
        inject: () => carrier,
        end(result) {
          recorded.steps.push(`end:${result.outcome}`);
          recorded.result = result;
        },
      };
    },
  };
  return { telemetry, scopes, insideRun: () => inRun > 0 };
}

const failingStore = (): IdempotencyStore => ({
  claim: () => Promise.reject(new Error('store down')),
  renew: () => Promise.resolve(false),
  complete: () => Promise.resolve(false),
  release: () => Promise.resolve(false),
});

describe('telemetry on handle()', () => {
  const succeeds = (): void => undefined;
  const fails = (): Promise<void> => Promise.reject(new Error('handler broke'));
  it.each([
    ['processed', 'batch.completed', succeeds, ['verified:batch.completed', 'call:claim', 'run', 'call:complete', 'end:processed']],
    ['failed', 'batch.completed', fails, ['verified:batch.completed', 'call:claim', 'run', 'call:release', 'end:failed']],
    ['unhandled', 'batch.failed', succeeds, ['verified:batch.failed', 'end:unhandled']],
  ] as const)('%s: the steps of the scope, in order', async (outcome, type, handler, steps) => {
    const { telemetry, scopes } = recordingTelemetry();
    const webhooks = createWebhooks({ secret, store: memoryStore(), telemetry, onError: () => undefined });
    webhooks.on('batch.completed', handler);
    const result = await webhooks.handle(createSignedDelivery(createTestEvent(type), { secret }));
    expect(result.outcome).toBe(outcome);
    expect(scopes).toHaveLength(1);
    expect(scopes[0]!.start).toEqual({ entry: 'handle' });
    expect(scopes[0]!.steps).toEqual(steps);
    expect(scopes[0]!.result).toBe(result);
  });

  // A scope may chain on what it runs: run() is always given a function that returns a promise
  // and never throws, whatever the handlers return, with a store or without.
  it.each([
    ['a synchronous handler', (): void => undefined, 'processed', []],
    ['a synchronous throw', (): void => { throw new Error('handler broke'); }, 'failed', ['handler broke']],
  ] as const)('%s, under a scope that chains on run()', async (_case, handler, outcome, reported) => {
    for (const store of [memoryStore(), undefined]) {
      const ran: string[] = [];
      const telemetry: WebhookTelemetry = {
        startDelivery: () => ({
          verified: () => undefined,
          run: (handlers) => {
            const settled = (handlers() as Promise<unknown>).then(() => void ran.push('resolved'), (error: unknown) => {
              ran.push('rejected');
              throw error;
            });
            return settled as never;
          },
          call: (_operation, call) => call(),
          inject: () => undefined,
          end: () => undefined,
        }),
      };
      const errors: unknown[] = [];
      const webhooks = createWebhooks({ secret, ...(store && { store }), telemetry, onError: (error) => void errors.push(error) });
      webhooks.on('batch.completed', handler);
      const result = await webhooks.handle(createSignedDelivery(createTestEvent('batch.completed'), { secret }));
      expect(result.outcome).toBe(outcome);
      expect(ran).toEqual([outcome === 'processed' ? 'resolved' : 'rejected']);
      expect(errors.map((error) => (error as Error).message)).toEqual(reported);
    }
  });

  it('duplicate and in_progress: the claim only; store_unavailable: the claim that rejected', async () => {
    const { telemetry, scopes } = recordingTelemetry();
    const store = memoryStore();
    const webhooks = createWebhooks({ secret, store, telemetry }).on('batch.completed', () => undefined);
    const delivery = createSignedDelivery(createTestEvent('batch.completed'), { secret });
    await webhooks.handle(delivery);
    await webhooks.handle(delivery);
    const held = createTestEvent('batch.completed');
    await store.claim(`together:event:${held.id}`, 60_000);
    await webhooks.handle(createSignedDelivery(held, { secret }));
    const down = createWebhooks({ secret, store: failingStore(), telemetry, onError: () => undefined }).on('batch.completed', () => undefined);
    await down.handle(createSignedDelivery(createTestEvent('batch.completed'), { secret }));
    expect(scopes.slice(1).map(({ steps }) => steps)).toEqual([
      ['verified:batch.completed', 'call:claim', 'end:duplicate'],
      ['verified:batch.completed', 'call:claim', 'end:in_progress'],
      ['verified:batch.completed', 'call:claim!', 'end:store_unavailable'],
    ]);
  });

  it('a rejected delivery: a scope ended with the rejection code, no store call, nothing run', async () => {
    const { telemetry, scopes } = recordingTelemetry();
    const webhooks = createWebhooks({ secret, store: memoryStore(), telemetry }).onAny(() => undefined);
    const forged = createSignedDelivery(createTestEvent('batch.completed'), { secret: 'whsec_someone_else' });
    const result = await webhooks.handle(forged);
    expect(result.outcome).toBe('rejected');
    expect(scopes[0]!.steps).toEqual(['end:rejected']);
    expect(scopes[0]!.result!.body.error).toBe('signature_mismatch');
  });

  it('without a store: the handlers run inside the scope, no store call', async () => {
    const { telemetry, scopes, insideRun } = recordingTelemetry();
    let ranInside = false;
    const webhooks = createWebhooks({ secret, telemetry }).onAny(async () => {
      await Promise.resolve();
      ranInside = insideRun();
    });
    expect((await webhooks.handle(createSignedDelivery(createTestEvent('batch.completed'), { secret }))).outcome).toBe('processed');
    expect(ranInside).toBe(true);
    expect(scopes[0]!.steps).toEqual(['verified:batch.completed', 'run', 'end:processed']);
  });

  // Every shape of headers a framework hands over, the pairs iterator included (read once only).
  it.each([
    ['a plain object', (headers: Record<string, string>) => headers],
    ['a Headers', (headers: Record<string, string>) => new Headers(headers)],
    ['an array of pairs', (headers: Record<string, string>) => Object.entries(headers)],
    ['a one-shot iterator of pairs', (headers: Record<string, string>) => new Headers(headers).entries()],
  ])('reads traceparent and tracestate from %s, and the delivery still verifies', async (_shape, shape) => {
    const { telemetry, scopes } = recordingTelemetry();
    const webhooks = createWebhooks({ secret, store: memoryStore(), telemetry }).onAny(() => undefined);
    const delivery = createSignedDelivery(createTestEvent('batch.completed'), { secret });
    const result = await webhooks.handle({ body: delivery.body, headers: shape({ ...delivery.headers, traceparent, tracestate }) });
    expect(result.outcome).toBe('processed');
    expect(scopes[0]!.start).toEqual({ entry: 'handle', traceContext: { traceparent, tracestate } });
  });

  it('reads the trace context of a Request, and none from a delivery without one', async () => {
    const { telemetry, scopes } = recordingTelemetry();
    const webhooks = createWebhooks({ secret, telemetry, onError: () => undefined }).onAny(() => undefined);
    const delivery = createSignedDelivery(createTestEvent('batch.completed'), { secret });
    const request = toRequest({ body: delivery.body, headers: { ...delivery.headers, traceparent } });
    expect((await webhooks.handle(request)).outcome).toBe('processed');
    expect((await webhooks.handle(delivery)).outcome).toBe('processed');
    expect((await webhooks.handle(null as never)).outcome).toBe('failed');
    expect(scopes.map(({ start }) => start)).toEqual([{ entry: 'handle', traceContext: { traceparent } }, { entry: 'handle' }, { entry: 'handle' }]);
  });
});

describe('telemetry on dispatch()', () => {
  it('opens a dispatch scope with the event and the trace context a worker passes', async () => {
    const { telemetry, scopes } = recordingTelemetry();
    const router = createEventRouter({ store: memoryStore(), telemetry }).onAny(() => undefined);
    const event = createTestEvent('fine_tune.completed');
    await router.dispatch(event, { traceContext: { traceparent } });
    await router.dispatch(event);
    expect(scopes.map(({ start }) => start)).toEqual([
      { entry: 'dispatch', event, traceContext: { traceparent } },
      { entry: 'dispatch', event },
    ]);
    expect(scopes.map(({ steps }) => steps)).toEqual([
      ['call:claim', 'run', 'call:complete', 'end:processed'],
      ['call:claim', 'end:duplicate'],
    ]);
  });

  it('reports each lease renewal of a long handler to the scope', async () => {
    const { telemetry, scopes } = recordingTelemetry();
    const router = createEventRouter({ store: memoryStore(), telemetry, leaseMs: 60 });
    router.onAny(() => new Promise((resolve) => setTimeout(resolve, 80)));
    expect((await router.dispatch(createTestEvent('batch.completed'))).outcome).toBe('processed');
    const steps = scopes[0]!.steps;
    expect(steps[0]).toBe('call:claim');
    expect(steps).toContain('call:renew');
    expect(steps.slice(-2)).toEqual(['call:complete', 'end:processed']);
  });
});

describe('telemetry in queue mode', () => {
  it('enqueue gets the scope’s trace context to keep with the job, inside the enqueue call', async () => {
    const carrier = { traceparent };
    const { telemetry, scopes } = recordingTelemetry(carrier);
    const jobs: { event: unknown; options: unknown }[] = [];
    const webhooks = createWebhooks({
      secret,
      telemetry,
      queue: { enqueue: async (event, options) => void jobs.push({ event, options }) },
    });
    const event = createTestEvent('batch.completed');
    expect((await webhooks.handle(createSignedDelivery(event, { secret }))).outcome).toBe('queued');
    expect(jobs).toEqual([{ event, options: { traceContext: carrier } }]);
    expect(scopes[0]!.steps).toEqual(['verified:batch.completed', 'call:enqueue', 'end:queued']);
  });

  it('without a trace context, enqueue gets the event alone; a refusing queue is queue_unavailable', async () => {
    const { telemetry, scopes } = recordingTelemetry();
    const calls: unknown[][] = [];
    let refuse = false;
    const webhooks = createWebhooks({
      secret,
      telemetry,
      onError: () => undefined,
      queue: {
        enqueue: (...args) => {
          calls.push(args);
          return refuse ? Promise.reject(new Error('broker down')) : Promise.resolve();
        },
      },
    });
    await webhooks.handle(createSignedDelivery(createTestEvent('batch.completed'), { secret }));
    refuse = true;
    expect((await webhooks.handle(createSignedDelivery(createTestEvent('batch.completed'), { secret }))).outcome).toBe('queue_unavailable');
    expect(calls.map((args) => args.length)).toEqual([1, 1]);
    expect(scopes.map(({ steps }) => steps)).toEqual([
      ['verified:batch.completed', 'call:enqueue', 'end:queued'],
      ['verified:batch.completed', 'call:enqueue!', 'end:queue_unavailable'],
    ]);
  });
});

describe('telemetry with nothing to record', () => {
  it('a startDelivery answering undefined: the delivery, queued or not, runs as without telemetry', async () => {
    const starts: string[] = [];
    const idle: WebhookTelemetry = {
      startDelivery: ({ entry }) => void starts.push(entry),
    };
    const ran: string[] = [];
    const webhooks = createWebhooks({ secret, store: memoryStore(), telemetry: idle }).onAny((event) => void ran.push(event.id));
    const event = createTestEvent('batch.completed');
    expect((await webhooks.handle(createSignedDelivery(event, { secret }))).outcome).toBe('processed');
    expect((await webhooks.dispatch(event)).outcome).toBe('duplicate');
    const enqueued: unknown[][] = [];
    const queued = createWebhooks({ secret, telemetry: idle, queue: { enqueue: async (...args) => void enqueued.push(args) } });
    expect((await queued.handle(createSignedDelivery(createTestEvent('batch.completed'), { secret }))).outcome).toBe('queued');
    expect(ran).toEqual([event.id]);
    expect(starts).toEqual(['handle', 'dispatch', 'handle']);
    // No scope, so no trace context for the job.
    expect(enqueued.map((args) => args.length)).toEqual([1]);
  });
});

describe('telemetry that fails', () => {
  it('changes no answer: a throwing startDelivery leaves the delivery untraced, a throwing end is ignored; both are reported', async () => {
    const reported: WebhookErrorContext[] = [];
    const onError = (_error: unknown, context: WebhookErrorContext) => void reported.push(context);
    const broken: WebhookTelemetry = {
      startDelivery() {
        throw new Error('telemetry broke');
      },
    };
    const ran: string[] = [];
    const webhooks = createWebhooks({ secret, store: memoryStore(), telemetry: broken, onError }).onAny((event) => void ran.push(event.id));
    const event = createTestEvent('batch.completed');
    expect((await webhooks.handle(createSignedDelivery(event, { secret }))).outcome).toBe('processed');
    const endThrows: WebhookTelemetry = {
      startDelivery: () => ({
        verified: () => undefined,
        run: (handlers) => handlers(),
        call: (_operation, call) => call(),
        inject: () => undefined,
        end() {
          throw new Error('end broke');
        },
      }),
    };
    const router = createEventRouter({ store: memoryStore(), telemetry: endThrows, onError }).onAny((e) => void ran.push(e.id));
    expect((await router.dispatch(event)).outcome).toBe('processed');
    expect(ran).toEqual([event.id, event.id]);
    expect(reported).toEqual([
      { phase: 'telemetry', outcome: 'failed' },
      { phase: 'telemetry', outcome: 'processed', event },
    ]);
  });

  it('refuses a telemetry option that is not one, at construction', () => {
    expect(() => createEventRouter({ telemetry: {} as never })).toThrow(/telemetry must be a WebhookTelemetry/);
    expect(() => createWebhooks({ secret, telemetry: 'otel' as never })).toThrow(TypeError);
  });
});
