/**
 * @module testing/queue-conformance — proves an `EventQueue` and its worker keep queue mode's
 * contract (spec section 13), with no test framework: one call inside whatever runner the user has.
 */
import {
  createEventRouter,
  memoryStore,
  type EventQueue,
  type EventRouter,
  type IdempotencyStore,
  type TogetherEvent,
  type TraceCarrier,
  type WebhookTelemetry,
} from '@x/together-webhooks-core';

/** A running worker: it takes events from the queue and dispatches them to a router. */
export interface QueueWorker {
  /** Stops taking events; resolves once every handler it started has finished. */
  close(): Promise<void>;
}

/** What {@link runQueueConformance} checks: a queue, and a way to start workers over the same backend. */
export interface QueueUnderTest {
  /** A queue over the backend (a new object each call is fine). */
  makeQueue(): EventQueue | Promise<EventQueue>;
  /**
   * Starts a worker that takes events from the backend and calls `router.dispatch(event, {
   * traceContext })` with the trace context `enqueue` was given (kept with the job):
   * `processed`, `duplicate` and `unhandled` finish an event; `failed`, `in_progress` and
   * `store_unavailable` retry it (with a short backoff for the kit: the checks wait at most
   * `timeoutMs` each). Resolves once the worker is consuming.
   */
  startWorker(router: EventRouter): QueueWorker | Promise<QueueWorker>;
  /** Called once the checks are over: close connections here. */
  dispose?(): unknown;
}

/** Options of {@link runQueueConformance}. */
export interface QueueConformanceOptions {
  /** Longest each check waits for its events to be handled, in ms. Default 20 000. */
  timeoutMs?: number;
}

/** The checks the kit runs, by name, in order. */
export const queueConformanceChecks = [
  'an event enqueued while no worker runs is handled once a worker starts (durable)',
  'each of many events enqueued concurrently, each twice, is handled exactly once',
  'a handler that fails is retried until it succeeds, and then not again',
  'an event whose id another delivery holds is retried once the claim lapses',
  'close() waits for a handler that is running',
  'the trace context given to enqueue reaches dispatch unchanged',
] as const;

/** One check's outcome. */
export interface QueueConformanceCheck {
  name: (typeof queueConformanceChecks)[number];
  passed: boolean;
  failure?: string;
  durationMs: number;
}

/** What the kit found: every check passed when it resolves. */
export interface QueueConformanceReport {
  checks: QueueConformanceCheck[];
}

/** Rejection of {@link runQueueConformance}: names every failed check; the full report is attached. */
export class QueueConformanceError extends Error {
  override readonly name = 'QueueConformanceError';
  constructor(readonly report: QueueConformanceReport) {
    const failed = report.checks.filter((check) => !check.passed);
    super(`the queue broke queue mode's contract in ${failed.length} check(s):\n${failed.map((check) => `- ${check.name}: ${check.failure ?? 'failed'}`).join('\n')}`);
  }
}

class CheckFailure extends Error {}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
let sequence = 0;

function testEvent(check: number): TogetherEvent {
  const id = `evt_queue_conformance_${Date.now().toString(36)}_${check}_${++sequence}_${Math.random().toString(36).slice(2, 8)}`;
  return { id, type: 'batch.completed', created: new Date().toISOString(), data: { id: `batch_${sequence}`, status: 'COMPLETED' } };
}

/**
 * A router that records, per event id, how many times its handler ran and succeeded, and the
 * trace context each `dispatch` was given (through a telemetry that records nothing else).
 */
function countingRouter(store: IdempotencyStore = memoryStore()) {
  const started = new Map<string, number>();
  const succeeded = new Map<string, number>();
  const traceContexts = new Map<string, TraceCarrier | undefined>();
  let behaviour: (event: TogetherEvent, attempt: number) => Promise<void> | void = () => undefined;
  const telemetry: WebhookTelemetry = {
    startDelivery({ event, traceContext }) {
      if (event) traceContexts.set(event.id, traceContext);
      return { verified: () => undefined, run: (handlers) => handlers(), call: (_operation, call) => call(), inject: () => undefined, end: () => undefined };
    },
  };
  const router = createEventRouter({ store, leaseMs: 1000, onError: () => undefined, telemetry });
  router.onAny(async (event) => {
    const attempt = (started.get(event.id) ?? 0) + 1;
    started.set(event.id, attempt);
    await behaviour(event, attempt);
    succeeded.set(event.id, (succeeded.get(event.id) ?? 0) + 1);
  });
  return {
    router,
    started,
    succeeded,
    traceContexts,
    set behave(fn: typeof behaviour) {
      behaviour = fn;
    },
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new CheckFailure(`timed out after ${timeoutMs} ms: ${what()}`);
    await sleep(20);
  }
}

function expect(condition: boolean, failure: string): asserts condition {
  if (!condition) throw new CheckFailure(failure);
}

/**
 * Checks an `EventQueue` and its worker against queue mode's contract: durability before a
 * worker runs, exactly-once handling of concurrent and repeated enqueues (through the router's
 * idempotency store), retries of failed and in-progress outcomes, a `close()` that waits for
 * running handlers, and the trace context travelling with the job.
 *
 * @param underTest - `makeQueue`, `startWorker(router)`, and an optional `dispose`
 * @param options - how long each check may wait
 * @returns the report, when every check passed
 * @throws {@link QueueConformanceError} naming each failed check
 * @example
 * ```ts
 * import { runQueueConformance } from '@x/together-webhooks-core/testing';
 *
 * test('my RabbitMQ queue keeps the contract', async () => {
 *   await runQueueConformance({ makeQueue: () => rabbitQueue(channel), startWorker: (router) => rabbitWorker(router, channel) });
 * }, 120_000);
 * ```
 */
export async function runQueueConformance(underTest: QueueUnderTest, options: QueueConformanceOptions = {}): Promise<QueueConformanceReport> {
  if (typeof underTest?.makeQueue !== 'function' || typeof underTest.startWorker !== 'function') {
    throw new TypeError('runQueueConformance needs { makeQueue, startWorker }');
  }
  const timeoutMs = options.timeoutMs ?? 20_000;
  const workers: QueueWorker[] = [];
  const start = async (router: EventRouter): Promise<QueueWorker> => {
    const worker = await underTest.startWorker(router);
    workers.push(worker);
    return worker;
  };
  const closeAll = async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.close().catch(() => undefined)));
  };

  const checks: Record<(typeof queueConformanceChecks)[number], (n: number) => Promise<void>> = {
    async 'an event enqueued while no worker runs is handled once a worker starts (durable)'(n) {
      const queue = await underTest.makeQueue();
      const events = [testEvent(n), testEvent(n), testEvent(n)];
      for (const event of events) await queue.enqueue(event);
      const counting = countingRouter();
      await start(counting.router);
      await waitFor(() => events.every((event) => counting.succeeded.get(event.id) === 1), timeoutMs, () => `handled ${counting.succeeded.size} of ${events.length}`);
    },
    async 'each of many events enqueued concurrently, each twice, is handled exactly once'(n) {
      const queue = await underTest.makeQueue();
      const counting = countingRouter();
      await start(counting.router);
      const events = Array.from({ length: 25 }, () => testEvent(n));
      await Promise.all(events.flatMap((event) => [queue.enqueue(event), queue.enqueue(event)]));
      await waitFor(() => events.every((event) => counting.succeeded.get(event.id) === 1), timeoutMs, () => `handled ${counting.succeeded.size} of ${events.length}`);
      await sleep(300);
      const twice = events.filter((event) => (counting.succeeded.get(event.id) ?? 0) > 1);
      expect(twice.length === 0, `${twice.length} event(s) were handled more than once`);
    },
    async 'a handler that fails is retried until it succeeds, and then not again'(n) {
      const queue = await underTest.makeQueue();
      const counting = countingRouter();
      counting.behave = (_event, attempt) => {
        if (attempt <= 2) throw new Error(`attempt ${attempt} fails on purpose`);
      };
      await start(counting.router);
      const event = testEvent(n);
      await queue.enqueue(event);
      await waitFor(() => counting.succeeded.get(event.id) === 1, timeoutMs, () => `attempts so far: ${counting.started.get(event.id) ?? 0}`);
      await sleep(300);
      expect(counting.started.get(event.id) === 3, `expected 3 attempts, saw ${counting.started.get(event.id)}`);
    },
    async 'an event whose id another delivery holds is retried once the claim lapses'(n) {
      const queue = await underTest.makeQueue();
      const store = memoryStore();
      const event = testEvent(n);
      // Another delivery holds the event's claim for a short lease: the worker first meets in_progress.
      await store.claim(`together:event:${event.id}`, 1500);
      const counting = countingRouter(store);
      await start(counting.router);
      await queue.enqueue(event);
      await waitFor(() => counting.succeeded.get(event.id) === 1, timeoutMs, () => 'never handled after the claim lapsed');
    },
    async 'close() waits for a handler that is running'(n) {
      const queue = await underTest.makeQueue();
      const counting = countingRouter();
      let finished = false;
      counting.behave = async () => {
        await sleep(400);
        finished = true;
      };
      const worker = await start(counting.router);
      const event = testEvent(n);
      await queue.enqueue(event);
      await waitFor(() => counting.started.has(event.id), timeoutMs, () => 'the handler never started');
      await worker.close();
      workers.splice(workers.indexOf(worker), 1);
      expect(finished, 'close() resolved before the running handler finished');
    },
    async 'the trace context given to enqueue reaches dispatch unchanged'(n) {
      const queue = await underTest.makeQueue();
      const counting = countingRouter();
      await start(counting.router);
      // What a W3C propagator writes (the receiver's telemetry makes it; the queue only carries it).
      const traceContext = { traceparent: `00-4bf92f3577b34da6a3ce929d0e0e4736-${(0x1000 + n).toString(16).padStart(16, '0')}-01`, tracestate: 'vendor=value' };
      const event = testEvent(n);
      await queue.enqueue(event, { traceContext });
      await waitFor(() => counting.succeeded.get(event.id) === 1, timeoutMs, () => 'never handled');
      const got = counting.traceContexts.get(event.id);
      expect(
        got !== undefined && Object.keys(got).length === 2 && got['traceparent'] === traceContext.traceparent && got['tracestate'] === traceContext.tracestate,
        `dispatch got ${got === undefined ? 'no trace context' : JSON.stringify(got)}, expected ${JSON.stringify(traceContext)}`,
      );
    },
  };

  const results: QueueConformanceCheck[] = [];
  try {
    let n = 0;
    for (const name of queueConformanceChecks) {
      const started = Date.now();
      try {
        await checks[name](++n);
        results.push({ name, passed: true, durationMs: Date.now() - started });
      } catch (error) {
        const failure = error instanceof CheckFailure ? error.message : `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
        results.push({ name, passed: false, failure, durationMs: Date.now() - started });
      } finally {
        await closeAll();
      }
    }
  } finally {
    await underTest.dispose?.();
  }
  const report: QueueConformanceReport = { checks: results };
  if (results.some((check) => !check.passed)) throw new QueueConformanceError(report);
  return report;
}
