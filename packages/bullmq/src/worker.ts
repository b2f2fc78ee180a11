/**
 * @module worker — `createBullmqWorker`: a BullMQ worker that takes the events a receiver
 * enqueued and runs them through an event router, finishing, retrying or failing each job by the
 * router's outcome (spec section 13).
 */
import type { EventRouter, TogetherEvent, WebhookOutcome } from '@x/together-webhooks-core';
import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job, type WorkerOptions } from 'bullmq';
import { checkBackoff, finishesJob, retryDelay, type RetryBackoff } from './retry.js';
import { traceContextOf } from './trace-context.js';

/** Options of {@link createBullmqWorker}; any other BullMQ `WorkerOptions` (`prefix`, `stalledInterval`, `lockDuration`…) pass through. */
export interface BullmqWorkerOptions extends Omit<WorkerOptions, 'connection' | 'concurrency' | 'autorun'> {
  /** The queue's name, as given to the `Queue` of `bullmqQueue`. */
  queueName: string;
  /** Redis: ioredis options or an ioredis instance (BullMQ duplicates it for blocking reads). */
  connection: ConnectionOptions;
  /** Events handled at once by this worker. Default 1. */
  concurrency?: number;
  /**
   * Runs of one event before it stays in the failed set: every `failed`, `in_progress` and
   * `store_unavailable` answer spends one. Default 10.
   */
  attempts?: number;
  /** Wait before each retry. Default `{ type: 'exponential', delay: 1000 }` (1 s, 2 s, 4 s…). */
  backoff?: RetryBackoff;
  /**
   * Longest `close()` waits for running handlers, in ms; past it the worker closes anyway and
   * their jobs go back to another worker after BullMQ's stalled check. Default 30 000.
   */
  closeTimeoutMs?: number;
}

/** A running worker. */
export interface BullmqEventWorker {
  /** The BullMQ worker, for its events (`completed`, `failed`…) and metrics. */
  readonly worker: Worker<TogetherEvent, WebhookOutcome>;
  /** Resolves once the worker is connected and consuming. */
  waitUntilReady(): Promise<void>;
  /**
   * Stops taking jobs and resolves once the running handlers have finished, or once
   * `closeTimeoutMs` has passed (reported to the router's `onError`), then closes the worker.
   */
  close(): Promise<void>;
}

const DEFAULT_ATTEMPTS = 10;
const DEFAULT_BACKOFF: RetryBackoff = { type: 'exponential', delay: 1000 };
const DEFAULT_CLOSE_TIMEOUT_MS = 30_000;

/**
 * Starts a BullMQ worker that calls `router.dispatch(event)` for each job of `queueName`:
 * `processed`, `duplicate` and `unhandled` finish the job; `failed`, `in_progress` and
 * `store_unavailable` put it back, delayed by `backoff` (an `in_progress` one at least until the
 * other holder's lease lapses), until `attempts` runs are spent; then it stays in the queue's
 * failed set, reported through the router's `onError`, never dropped (so is a job BullMQ fails by
 * itself, one stalled more than `maxStalledCount` times: reported once). A worker that dies
 * mid-handler loses nothing: BullMQ's stalled check hands the job to another worker, and the
 * claim's lease in the router's store decides which run goes ahead. Use a store shared by every
 * worker (Redis, DynamoDB, PostgreSQL) so an event is handled once across all of them.
 *
 * @param router - the router (or `createWebhooks` receiver) whose handlers run the events
 * @param options - `queueName`, `connection`, and optionally `concurrency`, `attempts`, `backoff`, `closeTimeoutMs`
 * @returns the worker, with a graceful `close()`
 * @example
 * ```ts
 * import { createEventRouter } from '@x/together-webhooks-core';
 * import { createBullmqWorker } from '@x/together-webhooks-bullmq';
 *
 * const router = createEventRouter({ store });
 * router.on('batch.completed', async (event, { signal }) => downloadResults(event.data.id, signal));
 * const worker = createBullmqWorker(router, { queueName: 'together-events', connection: { host: '127.0.0.1', port: 6379 }, concurrency: 4 });
 * process.once('SIGTERM', () => void worker.close());
 * ```
 */
export function createBullmqWorker(router: EventRouter, options: BullmqWorkerOptions): BullmqEventWorker {
  if (typeof router?.dispatch !== 'function' || typeof router.reportError !== 'function') {
    throw new TypeError('createBullmqWorker needs an event router (createEventRouter or createWebhooks) as its first argument');
  }
  if (typeof options !== 'object' || options === null) throw new TypeError('createBullmqWorker needs { queueName, connection }');
  const {
    queueName,
    connection,
    concurrency = 1,
    attempts = DEFAULT_ATTEMPTS,
    backoff = DEFAULT_BACKOFF,
    closeTimeoutMs = DEFAULT_CLOSE_TIMEOUT_MS,
    ...workerOptions
  } = options;
  if (typeof queueName !== 'string' || queueName.length === 0) throw new TypeError('queueName must be a non-empty string');
  if (connection === undefined || connection === null) throw new TypeError('connection is required: ioredis options or an ioredis instance');
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be an integer, 1 or more');
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError('attempts must be an integer, 1 or more');
  if (!Number.isFinite(closeTimeoutMs) || closeTimeoutMs < 0) throw new RangeError('closeTimeoutMs must be a number of milliseconds, 0 or more');
  checkBackoff(backoff);

  const running = new Set<Promise<unknown>>();
  // The failures run() has reported itself: the 'failed' listener reports only the others.
  const alreadyReported = new WeakSet<Error>();
  const reported = (error: Error): Error => {
    alreadyReported.add(error);
    return error;
  };
  // Aborted by close() past closeTimeoutMs: each running handler's ctx.signal aborts with it.
  const shutdown = new AbortController();

  const run = async (job: Job<TogetherEvent, WebhookOutcome>, token?: string): Promise<WebhookOutcome> => {
    const event = job.data;
    let result;
    try {
      const traceContext = traceContextOf(job.opts);
      result = await router.dispatch(event, traceContext ? { signal: shutdown.signal, traceContext } : { signal: shutdown.signal });
    } catch (error) {
      // dispatch() rejects only an argument that is not an event: no retry can fix that.
      router.reportError(new Error(`job ${job.id ?? '?'} of queue ${queueName} holds no event: left in the failed set`, { cause: error }), {
        phase: 'adapter',
        outcome: 'failed',
      });
      throw reported(new UnrecoverableError(`job ${job.id ?? '?'} holds no event (id, type and object data)`));
    }
    if (finishesJob(result.outcome)) return result.outcome;
    // attemptsStarted counts every start, stalled restarts included.
    const attempt = job.attemptsStarted;
    if (attempt >= attempts) {
      const message = `event ${event.id} answered ${result.outcome} on its last attempt (${attempt} of ${attempts}): left in the failed set of queue ${queueName}, retry it from there`;
      router.reportError(new Error(message, { cause: result.error }), { phase: 'adapter', outcome: result.outcome, event });
      throw reported(new UnrecoverableError(message));
    }
    await job.moveToDelayed(Date.now() + retryDelay(result, attempt, backoff), token);
    // Tells BullMQ the job was moved on purpose (to the delayed set), not failed.
    throw new DelayedError();
  };

  const worker = new Worker<TogetherEvent, WebhookOutcome>(
    queueName,
    (job, token) => {
      const pending = run(job, token);
      running.add(pending);
      void pending.catch(() => undefined).finally(() => running.delete(pending));
      return pending;
    },
    { ...workerOptions, connection, concurrency, autorun: true },
  );
  // Without a listener an 'error' event would throw; BullMQ reconnects on its own.
  worker.on('error', (error) => router.reportError(error, { phase: 'adapter', outcome: 'queue_unavailable' }));
  // Jobs BullMQ fails by itself, never seen by the router: one stalled more than maxStalledCount
  // times ("job stalled more than allowable limit"), or started more than maxStartedAttempts.
  worker.on('failed', (job, error) => {
    if (alreadyReported.has(error)) return;
    // finishedOn is set only when the job went to the failed set, not when BullMQ retries it.
    if (job !== undefined && job.finishedOn === undefined) return;
    const event = job !== undefined && isEvent(job.data) ? job.data : undefined;
    const message = `job ${job?.id ?? '?'} of queue ${queueName} failed in BullMQ: ${error.message}: left in the failed set, retry it from there`;
    router.reportError(new Error(message, { cause: error }), event ? { phase: 'adapter', outcome: 'failed', event } : { phase: 'adapter', outcome: 'failed' });
  });

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    await worker.pause(true);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finished = await Promise.race([
      Promise.allSettled([...running]).then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(resolve, closeTimeoutMs, false))),
    ]);
    clearTimeout(timer);
    if (!finished) {
      router.reportError(
        new Error(
          `close(): ${running.size} handler(s) of queue ${queueName} still running after ${closeTimeoutMs} ms (closeTimeoutMs): their signal is aborted and the worker closes; their jobs go to another worker after the stalled check`,
        ),
        { phase: 'adapter', outcome: 'in_progress' },
      );
      shutdown.abort(new Error(`the worker of queue ${queueName} is closing (closeTimeoutMs ${closeTimeoutMs} ms passed)`));
    }
    await worker.close(!finished);
  };

  return {
    worker,
    waitUntilReady: () => worker.waitUntilReady(),
    close: () => (closing ??= close()),
  };
}

/** Whether a job's data has the shape of an event, to name it in a report. */
function isEvent(data: unknown): data is TogetherEvent {
  const candidate = data as Partial<TogetherEvent> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.id === 'string' && typeof candidate.type === 'string';
}
