/**
 * @module queue — `bullmqQueue`: the `EventQueue` a receiver in queue mode enqueues to, over a
 * BullMQ `Queue`.
 */
import type { EnqueueOptions, EventQueue, TogetherEvent } from '@x/together-webhooks-core';
import type { JobsOptions, Queue } from 'bullmq';
import { jobIdFor } from './job-id.js';
import { traceContextOptions } from './trace-context.js';

/** Options of {@link bullmqQueue}. */
export interface BullmqQueueOptions {
  /** The BullMQ queue the workers of `createBullmqWorker` consume (same name, same connection). */
  queue: Queue;
  /**
   * Options of every job (`removeOnComplete`, `removeOnFail`, `priority`…), over the queue's
   * `defaultJobOptions`. `jobId` is always the event's ({@link jobIdFor}); retries are decided by
   * the worker's `attempts` and `backoff`, not by the job's.
   */
  jobOptions?: Omit<JobsOptions, 'jobId' | 'attempts' | 'backoff' | 'delay' | 'repeat'>;
}

/**
 * An `EventQueue` over a BullMQ queue, for `createWebhooks({ queue })`. Each event becomes one
 * job named after its type, with the event as its data and a job id derived from the event id:
 * a delivery of an event whose job is still in the queue (waiting, running, delayed for a retry,
 * or kept in the completed or failed set) adds nothing. The trace context the receiver's telemetry
 * gives travels in the job's `opts.telemetry.metadata`, and the worker continues it. `enqueue` resolves once Redis has the
 * job, so the 202 is as durable as the Redis persistence you configure (AOF with
 * `appendfsync always` survives a crash).
 *
 * @param options - the BullMQ `queue`, and optional `jobOptions`
 * @returns the queue for `createWebhooks({ queue })`
 * @example
 * ```ts
 * import { Queue } from 'bullmq';
 * import { createWebhooks } from '@x/together-webhooks-core';
 * import { bullmqQueue } from '@x/together-webhooks-bullmq';
 *
 * const queue = new Queue('together-events', { connection: { host: '127.0.0.1', port: 6379 } });
 * const webhooks = createWebhooks({ secret: process.env.TOGETHER_WEBHOOK_SECRET!, queue: bullmqQueue({ queue }) });
 * ```
 */
export function bullmqQueue(options: BullmqQueueOptions): EventQueue {
  if (typeof options !== 'object' || options === null) throw new TypeError('bullmqQueue needs { queue }');
  const { queue, jobOptions = {} } = options;
  if (typeof (queue as Partial<Queue> | undefined)?.add !== 'function') {
    throw new TypeError('bullmqQueue: queue must be a BullMQ Queue (new Queue(name, { connection }))');
  }
  return {
    async enqueue(event: TogetherEvent, enqueueOptions?: EnqueueOptions) {
      const traceContext = enqueueOptions?.traceContext;
      await queue.add(event.type, event, { ...jobOptions, ...(traceContext && traceContextOptions(traceContext)), jobId: jobIdFor(event.id) });
    },
  };
}
