/**
 * @module retry — what a worker does with each outcome of `router.dispatch` (spec section 13):
 * finish the job, or retry it after a backoff, and how long that backoff is.
 */
import type { WebhookOutcome, WebhookResult } from '@x/together-webhooks-core';

/** How long a worker waits before retrying an event, as BullMQ's `BackoffOptions` say it. */
export interface RetryBackoff {
  /** `fixed`: always `delay`; `exponential`: `delay`, then doubled each attempt. */
  type: 'fixed' | 'exponential';
  /** Milliseconds. */
  delay: number;
}

/** Outcomes that finish a job: the event was handled, was handled before, or has no handler. */
const FINISHED: ReadonlySet<WebhookOutcome> = new Set<WebhookOutcome>(['processed', 'duplicate', 'unhandled']);

/** Whether `outcome` finishes the job (anything else is retried). */
export function finishesJob(outcome: WebhookOutcome): boolean {
  return FINISHED.has(outcome);
}

/**
 * Milliseconds until the retry after attempt `attempt` (1 for the first) answered `result`. An
 * `in_progress` answer carries when the other holder's lease lapses: waiting less would only
 * spend an attempt on the same answer.
 */
export function retryDelay(result: WebhookResult, attempt: number, backoff: RetryBackoff): number {
  const base = backoff.type === 'fixed' ? backoff.delay : backoff.delay * 2 ** Math.max(0, attempt - 1);
  const retryAfterSeconds = Number(result.headers['retry-after']);
  const leaseLapse = result.outcome === 'in_progress' && Number.isFinite(retryAfterSeconds) ? retryAfterSeconds * 1000 : 0;
  return Math.max(base, leaseLapse);
}

/** Checks a `backoff` option. */
export function checkBackoff(backoff: RetryBackoff): RetryBackoff {
  if (typeof backoff !== 'object' || backoff === null || (backoff.type !== 'fixed' && backoff.type !== 'exponential')) {
    throw new TypeError("backoff must be { type: 'fixed' | 'exponential', delay }");
  }
  if (!Number.isFinite(backoff.delay) || backoff.delay < 0) throw new RangeError('backoff.delay must be a number of milliseconds, 0 or more');
  return backoff;
}
