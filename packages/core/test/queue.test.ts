/**
 * Queue mode (spec section 13) in the core: `handle()` with a `queue` verifies, enqueues and
 * answers 202 without running handlers; a refused or silent queue is 503 `queue_unavailable`; and
 * the queue conformance kit accepts a correct queue + worker pair and rejects broken ones.
 */
import { describe, expect, it } from 'vitest';
import {
  createWebhooks,
  memoryStore,
  StoreTimeoutError,
  type EventQueue,
  type EventRouter,
  type TogetherEvent,
  type TraceCarrier,
  type WebhookErrorContext,
} from '@x/together-webhooks-core';
import {
  createSignedDelivery,
  createTestEvent,
  queueConformanceChecks,
  QueueConformanceError,
  runQueueConformance,
  type QueueUnderTest,
} from '@x/together-webhooks-core/testing';

const secret = 'whsec_queue_test';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * An in-process broker: a durable list (it outlives workers), at-least-once delivery, retries
 * with a short backoff. `flaws` break one rule each, to show the kit catches it.
 */
function inProcessBroker(flaws: { dropWithoutWorker?: boolean; noRetry?: boolean; closeEarly?: boolean; dropTraceContext?: boolean } = {}): QueueUnderTest {
  const pending: { event: TogetherEvent; traceContext?: TraceCarrier }[] = [];
  let consumers = 0;
  return {
    makeQueue: (): EventQueue => ({
      enqueue(event, options) {
        if (flaws.dropWithoutWorker && consumers === 0) return Promise.resolve();
        const traceContext = flaws.dropTraceContext ? undefined : options?.traceContext;
        pending.push(structuredClone(traceContext ? { event, traceContext } : { event }));
        return Promise.resolve();
      },
    }),
    startWorker(router: EventRouter) {
      consumers++;
      let running = true;
      const inFlight = new Set<Promise<void>>();
      const loop = (async () => {
        while (running) {
          const entry = pending.shift();
          if (!entry) {
            await sleep(10);
            continue;
          }
          const job = (async () => {
            const result = await router.dispatch(entry.event, entry.traceContext ? { traceContext: entry.traceContext } : {});
            const done = ['processed', 'duplicate', 'unhandled'].includes(result.outcome);
            if (!done && !flaws.noRetry) {
              await sleep(50);
              pending.push(entry);
            }
          })();
          inFlight.add(job);
          void job.finally(() => inFlight.delete(job));
        }
      })();
      return {
        async close() {
          running = false;
          consumers--;
          await loop;
          if (!flaws.closeEarly) await Promise.all(inFlight);
        },
      };
    },
  };
}

describe('createWebhooks({ queue })', () => {
  it('verifies, enqueues and answers 202 queued without running a handler; the worker then runs it', async () => {
    const queued: TogetherEvent[] = [];
    let ran = 0;
    const webhooks = createWebhooks({ secret, store: memoryStore(), queue: { enqueue: async (event) => void queued.push(event) } });
    webhooks.on('batch.completed', () => {
      ran++;
    });
    const event = createTestEvent('batch.completed');
    const result = await webhooks.handle(createSignedDelivery(event, { secret }));
    expect(result).toMatchObject({ status: 202, outcome: 'queued', body: { ok: true, outcome: 'queued', id: event.id } });
    expect(queued).toEqual([event]);
    expect(ran).toBe(0);
    // A worker dispatches to the same router: the handler runs there.
    expect((await webhooks.dispatch(queued[0]!)).outcome).toBe('processed');
    expect(ran).toBe(1);
  });

  it('still rejects what fails verification, without enqueueing it', async () => {
    const queued: TogetherEvent[] = [];
    const webhooks = createWebhooks({ secret, queue: { enqueue: async (event) => void queued.push(event) } });
    const delivery = createSignedDelivery(createTestEvent('batch.completed'), { secret: 'whsec_other' });
    expect(await webhooks.handle(delivery)).toMatchObject({ status: 401, outcome: 'rejected' });
    expect(queued).toEqual([]);
  });

  it.each([
    ['refuses', () => Promise.reject(new Error('broker down'))],
    ['never answers', () => new Promise<void>(() => undefined)],
  ])('answers 503 queue_unavailable with Retry-After when the queue %s, and reports it', async (_case, enqueue) => {
    const errors: { error: unknown; context: WebhookErrorContext }[] = [];
    const webhooks = createWebhooks({ secret, queue: { enqueue }, enqueueTimeoutMs: 100, onError: (error, context) => errors.push({ error, context }) });
    const started = Date.now();
    const result = await webhooks.handle(createSignedDelivery(createTestEvent('batch.completed'), { secret }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result).toMatchObject({ status: 503, outcome: 'queue_unavailable', headers: { 'retry-after': '5' } });
    expect(errors.map(({ context }) => context.phase)).toEqual(['enqueue']);
    if (_case === 'never answers') expect((errors[0]!.error as Error).message).toMatch(/queue's enqueue\(\) did not answer within 100 ms \(enqueueTimeoutMs\)/);
    if (_case === 'never answers') expect(errors[0]!.error).toBeInstanceOf(StoreTimeoutError);
  });

  it('refuses a queue without enqueue, and a bad enqueueTimeoutMs, at construction', () => {
    expect(() => createWebhooks({ secret, queue: {} as EventQueue })).toThrow(/enqueue\(event\) is missing/);
    expect(() => createWebhooks({ secret, queue: { enqueue: async () => undefined }, enqueueTimeoutMs: 0 })).toThrow(RangeError);
  });
});

describe('runQueueConformance', () => {
  it('passes a queue and worker that keep the contract, running every check', async () => {
    const report = await runQueueConformance(inProcessBroker(), { timeoutMs: 5000 });
    expect(report.checks.map((check) => check.name)).toEqual([...queueConformanceChecks]);
    for (const check of report.checks) expect(check).toMatchObject({ passed: true });
  }, 30_000);

  it.each([
    ['drops events while no worker runs', { dropWithoutWorker: true }, /durable/],
    ['never retries', { noRetry: true }, /retried/],
    ['closes without waiting for running handlers', { closeEarly: true }, /close\(\) waits/],
    ['drops the trace context', { dropTraceContext: true }, /trace context/],
  ])('rejects a broker that %s, naming the check', async (_case, flaws, check) => {
    const error = await runQueueConformance(inProcessBroker(flaws), { timeoutMs: 1500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueConformanceError);
    const failed = (error as QueueConformanceError).report.checks.filter((c) => !c.passed).map((c) => c.name);
    expect(failed.some((name) => check.test(name))).toBe(true);
  }, 30_000);
});
