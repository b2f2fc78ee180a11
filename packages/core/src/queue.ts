/**
 * @module queue — queue mode (spec section 13): a receiver that verifies a delivery, enqueues the
 * event durably and answers 202 at once, while workers run the handlers through an event router.
 */
import type { TogetherEvent } from './events.js';
import type { TraceCarrier } from './telemetry.js';

/**
 * Where a receiver in queue mode puts verified events. `enqueue` resolves once the event is
 * durable (the broker has it): the 202 promises the sender nothing less. A worker takes each
 * event and calls `router.dispatch(event)`: `processed`, `duplicate` and `unhandled` finish it;
 * `failed`, `in_progress` and `store_unavailable` make the broker retry it with backoff; an event
 * out of attempts stays in the broker's failed set. Prove an implementation with
 * `runQueueConformance` from `@x/together-webhooks-core/testing`.
 *
 * @example
 * ```ts
 * import type { EventQueue } from '@x/together-webhooks-core';
 *
 * const queue: EventQueue = {
 *   async enqueue(event, { traceContext } = {}) {
 *     await channel.sendToQueue('together-events', Buffer.from(JSON.stringify(event)), { persistent: true, messageId: event.id, headers: traceContext });
 *   },
 * };
 * // The worker: router.dispatch(JSON.parse(message.content), { traceContext: message.properties.headers })
 * ```
 */
export interface EventQueue {
  /**
   * Puts `event` on the queue; resolves once it is durable, rejects when it could not be. With
   * `options.traceContext` (the receiver has `telemetry`), store it with the job and give it back
   * to the worker's `router.dispatch(event, { traceContext })`, so the trace goes on there.
   */
  enqueue(event: TogetherEvent, options?: EnqueueOptions): Promise<void>;
}

/** What `enqueue` is given beside the event. */
export interface EnqueueOptions {
  /** Trace context to keep with the job (a few short text fields, such as `traceparent`), as it is. */
  traceContext?: TraceCarrier;
}

/** How long an enqueue may take before the delivery is answered 503 `queue_unavailable`. */
export const DEFAULT_ENQUEUE_TIMEOUT_MS = 5000;

/** Seconds to wait before a retry when the queue refused. */
export const QUEUE_RETRY_AFTER_SECONDS = 5;
