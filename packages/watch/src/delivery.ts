/**
 * @module delivery — handing an event to its receiver: in-process through an event router
 * (`createEventRouter` or `createWebhooks`), or (see `http-delivery.ts`) as a signed POST.
 */
import type { EventRouter, TogetherEvent, TraceCarrier } from '@x/together-webhooks-core';

/** How one delivery ended. @internal */
export type DeliveryResult =
  | { delivered: true }
  | {
      delivered: false;
      error: unknown;
      /** The receiver as a whole is failing (down, overloaded): later events this poll would fail too. */
      receiverDown: boolean;
    };

/** A receiver of events. @internal */
export interface Delivery {
  /** `traceContext`: the trace fields of the event's send span, for a delivery that leaves the process. */
  send(event: TogetherEvent, signal: AbortSignal, traceContext?: TraceCarrier): Promise<DeliveryResult>;
}

/**
 * Why an event was not delivered; the event stays pending and is offered again on the next poll.
 *
 * @example
 * ```ts
 * watchTogetherJobs({
 *   deliver: { url, secret },
 *   onError(error, { phase }) {
 *     if (error instanceof WatchDeliveryError) log.warn(`${error.eventId}: ${error.attempts} attempts, last status ${error.status}`);
 *     else log.error(phase, error);
 *   },
 * });
 * ```
 */
export class WatchDeliveryError extends Error {
  override readonly name = 'WatchDeliveryError';
  /** The undelivered event's id. */
  readonly eventId: string;
  /** Attempts made before giving up for this poll. */
  readonly attempts: number;
  /** The receiver's last HTTP status, or the pipeline's status for an in-process delivery. */
  readonly status: number | undefined;

  constructor(message: string, details: { eventId: string; attempts: number; status?: number; cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.eventId = details.eventId;
    this.attempts = details.attempts;
    this.status = details.status;
  }
}

// The receiver has the event (or deliberately has nothing to do with it): it must not be offered again.
const DONE = new Set(['processed', 'unhandled', 'duplicate']);

/**
 * Delivers through `router.dispatch(event)`: the same claim, handlers and completion as a signed
 * delivery, without HTTP. A `failed`, `in_progress` or `store_unavailable` outcome leaves the event
 * pending for the next poll. The trace context needs no carrier here: `dispatch` runs inside the
 * send span's context, which the router's telemetry continues. @internal
 */
export function dispatchDelivery(router: EventRouter): Delivery {
  return {
    async send(event) {
      try {
        const result = await router.dispatch(event);
        if (DONE.has(result.outcome)) return { delivered: true };
        const error = new WatchDeliveryError(`dispatch() answered ${result.outcome} for ${event.id}; it is offered again next poll`, {
          eventId: event.id,
          attempts: 1,
          status: result.status,
          cause: result.error,
        });
        return { delivered: false, error, receiverDown: result.outcome === 'store_unavailable' };
      } catch (error) {
        return { delivered: false, error, receiverDown: false };
      }
    },
  };
}
