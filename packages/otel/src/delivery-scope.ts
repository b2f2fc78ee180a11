/**
 * @module delivery-scope — one delivery's span: the handlers run in its context, each store (and
 * queue) call a child span, and at the end the outcome, the error type and the two metrics.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { DeliveryScope, TogetherEvent, TracedOperation, TraceCarrier, WebhookResult } from '@x/together-webhooks-core';
import {
  ATTR_CLAIM_STATE,
  ATTR_ERROR_TYPE,
  ATTR_EVENT_TYPE,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  ATTR_OUTCOME,
  ATTR_REJECTION_CODE,
  ATTR_STORE_OWNED,
  ERROR_TYPE_OTHER,
  MESSAGING_SYSTEM,
} from './attributes.js';
import type { DeliveryInstruments } from './metrics.js';

/** The attributes that say which event a span or a measurement is about. */
export function eventAttributes(event: TogetherEvent, into: Attributes): Attributes {
  into[ATTR_MESSAGING_MESSAGE_ID] = event.id;
  into[ATTR_MESSAGING_DESTINATION_NAME] = event.type;
  into[ATTR_EVENT_TYPE] = event.type;
  return into;
}

/** The span name the conventions give: `{operation} {destination}`, the destination being the event type. */
export const processSpanName = (event: TogetherEvent | undefined): string => (event ? `process ${event.type}` : 'process');

/**
 * `error.type` of an answer, or `undefined` when it is not a failure: a rejection's code; the
 * name of the error behind `failed`, `store_unavailable` and `queue_unavailable`. `duplicate`,
 * `in_progress` and `unhandled` are answers, not failures.
 */
export function errorTypeOf(result: WebhookResult): string | undefined {
  switch (result.outcome) {
    case 'rejected':
      return result.body.error ?? ERROR_TYPE_OTHER;
    case 'failed':
    case 'store_unavailable':
    case 'queue_unavailable':
      return errorName(result.error);
    default:
      return undefined;
  }
}

/** The error's name for `error.type` (`_OTHER` when it has none). */
export function errorName(error: unknown): string {
  const name = error instanceof Error ? error.name : undefined;
  return typeof name === 'string' && name !== '' ? name : ERROR_TYPE_OTHER;
}

/** The clock of the duration metric: performance.now() where it exists (every runtime here). */
export const now = (): number => globalThis.performance?.now() ?? Date.now();

/** The scope of one delivery, over its span (recording or not: a sampled-out span still carries the context). */
export class OpenTelemetryDeliveryScope implements DeliveryScope {
  private readonly startedAt = now();
  /** The context of the `send` span while the job is enqueued: the creation context the worker continues. */
  private sendContext: Context | undefined;

  constructor(
    private readonly tracer: Tracer,
    private readonly span: Span,
    private readonly context: Context,
    /** Whether the span has a context of its own to make current (false for the API's no-op span, without an SDK). */
    private readonly propagates: boolean,
    private readonly instruments: () => DeliveryInstruments,
    /** The event: from the start for `dispatch`, once verified for `handle`; never for a rejection. */
    private event: TogetherEvent | undefined,
  ) {}

  verified(event: TogetherEvent): void {
    this.event = event;
    if (!this.span.isRecording()) return;
    this.span.updateName(processSpanName(event));
    this.span.setAttributes(eventAttributes(event, {}));
  }

  run<T>(handlers: () => T): T {
    // The handlers run where the delivery started (same async chain): only a span of our own changes it.
    return this.propagates ? context.with(this.context, handlers) : handlers();
  }

  call<T>(operation: TracedOperation, call: () => Promise<T>): Promise<T> {
    // A span nobody records gets no children: only its context, for the store's own instrumentation.
    if (!this.span.isRecording()) return this.propagates ? context.with(this.context, call) : call();
    const child = this.startCallSpan(operation);
    const childContext = trace.setSpan(this.context, child);
    if (operation === 'enqueue') this.sendContext = childContext;
    let pending: Promise<T>;
    try {
      pending = context.with(childContext, call);
    } catch (error) {
      endFailedCall(child, error);
      throw error;
    }
    return pending.then(
      (answer) => {
        if (operation === 'claim') {
          const state = (answer as { state?: unknown } | undefined)?.state;
          if (typeof state === 'string') child.setAttribute(ATTR_CLAIM_STATE, state);
        } else if (typeof answer === 'boolean') child.setAttribute(ATTR_STORE_OWNED, answer);
        child.end();
        return answer;
      },
      (error: unknown) => {
        endFailedCall(child, error);
        throw error;
      },
    );
  }

  inject(): TraceCarrier | undefined {
    if (!this.propagates) return undefined;
    const carrier: Record<string, string> = {};
    propagation.inject(this.sendContext ?? this.context, carrier);
    for (const _field in carrier) return carrier;
    return undefined;
  }

  end(result: WebhookResult): void {
    const { span, event } = this;
    const errorType = errorTypeOf(result);
    if (span.isRecording()) {
      // A rejected delivery was never verified: its span carries the code, and nothing of the body.
      span.setAttribute(ATTR_OUTCOME, result.outcome);
      if (result.outcome === 'rejected' && result.body.error) span.setAttribute(ATTR_REJECTION_CODE, result.body.error);
      if (errorType !== undefined) {
        span.setAttribute(ATTR_ERROR_TYPE, errorType);
        // The handler's own error, as OpenTelemetry records exceptions; a rejection's is the sender's, and fixed text.
        if (result.outcome === 'failed' && result.error instanceof Error) span.recordException(result.error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: result.outcome });
      }
    }
    span.end();

    const attributes: Attributes = {
      [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM,
      [ATTR_MESSAGING_OPERATION_NAME]: 'process',
      [ATTR_OUTCOME]: result.outcome,
    };
    // The message id is per delivery: on the span, never on a metric (unbounded cardinality).
    if (event) {
      attributes[ATTR_MESSAGING_DESTINATION_NAME] = event.type;
      attributes[ATTR_EVENT_TYPE] = event.type;
    }
    if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType;
    const instruments = this.instruments();
    instruments.duration.record((now() - this.startedAt) / 1000, attributes);
    instruments.deliveries.add(1, attributes);
  }

  private startCallSpan(operation: TracedOperation): Span {
    const attributes: Attributes = { [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM };
    const event = this.event;
    if (operation !== 'enqueue') {
      if (event) attributes[ATTR_MESSAGING_MESSAGE_ID] = event.id;
      return this.tracer.startSpan(operation, { kind: SpanKind.INTERNAL, attributes }, this.context);
    }
    // Enqueueing is sending the event on to the workers: a PRODUCER span, whose context travels with the job.
    attributes[ATTR_MESSAGING_OPERATION_TYPE] = 'send';
    attributes[ATTR_MESSAGING_OPERATION_NAME] = 'send';
    if (event) eventAttributes(event, attributes);
    return this.tracer.startSpan(event ? `send ${event.type}` : 'send', { kind: SpanKind.PRODUCER, attributes }, this.context);
  }
}

function endFailedCall(span: Span, error: unknown): void {
  span.setAttribute(ATTR_ERROR_TYPE, errorName(error));
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
