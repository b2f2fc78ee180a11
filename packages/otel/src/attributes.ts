/**
 * @module attributes — the names this package records, in one place: OpenTelemetry's messaging
 * conventions where they have one, and this system's own under `messaging.together_webhooks.*`
 * (the conventions' namespace for system-specific attributes).
 */

/** `messaging.system`: this library, as the conventions allow a custom value of low cardinality. */
export const MESSAGING_SYSTEM = 'together_webhooks';

/** The name of the tracer and of the meter. */
export const INSTRUMENTATION_NAME = '@x/together-webhooks-otel';

export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
/** The event type: what handlers subscribe to, so the destination of a delivery (low cardinality). */
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const ATTR_ERROR_TYPE = 'error.type';

/** The event type again, under its own name, for queries that do not know the conventions. */
export const ATTR_EVENT_TYPE = 'messaging.together_webhooks.event.type';
/** How the delivery ended: `processed`, `duplicate`, `rejected`, ... (the core's `WebhookOutcome`). */
export const ATTR_OUTCOME = 'messaging.together_webhooks.outcome';
/** A rejected delivery's code: `signature_mismatch`, `timestamp_too_old`, ... */
export const ATTR_REJECTION_CODE = 'messaging.together_webhooks.rejection.code';
/** What a claim answered: `claimed`, `completed` or `in_progress`. */
export const ATTR_CLAIM_STATE = 'messaging.together_webhooks.claim.state';
/** Whether a renew, complete or release found the claim still this delivery's (`false`: it was lost). */
export const ATTR_STORE_OWNED = 'messaging.together_webhooks.store.owned';

/** The watcher's poll span (INTERNAL): one per poll, the forwarded events' `send` spans its children. */
export const POLL_SPAN_NAME = 'poll Together jobs';
/** On the poll span, what the poll did (the watch package's `PollReport`), under the watcher's own namespace. */
export const ATTR_POLL_REQUESTS = 'together_webhooks.watch.poll.requests';
export const ATTR_POLL_ANNOUNCED = 'together_webhooks.watch.poll.announced';
export const ATTR_POLL_DELIVERED = 'together_webhooks.watch.poll.delivered';
export const ATTR_POLL_PENDING = 'together_webhooks.watch.poll.pending';
/** Whether a request to Together or to the watch state failed (on the span and on the duration metric). */
export const ATTR_POLL_FAILED = 'together_webhooks.watch.poll.failed';
/** Where a watcher error came from: `poll`, `deliver`, `state` (on the errors counter). */
export const ATTR_WATCH_PHASE = 'together_webhooks.watch.phase';

/** `error.type` when the error has no name of its own (the conventions' fallback). */
export const ERROR_TYPE_OTHER = '_OTHER';

/** The `messaging.process.duration` buckets the conventions advise, in seconds. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
