/**
 * @module @x/together-webhooks-bullmq — queue mode on BullMQ (spec section 13): `bullmqQueue`
 * for the receiver (verify, enqueue, answer 202) and `createBullmqWorker` for the workers that
 * run the handlers through an event router.
 */
export { bullmqQueue, type BullmqQueueOptions } from './queue.js';
export { createBullmqWorker, type BullmqEventWorker, type BullmqWorkerOptions } from './worker.js';
export { jobIdFor } from './job-id.js';
export type { RetryBackoff } from './retry.js';
