/**
 * @module open-telemetry — `openTelemetry()`: the `telemetry` option of `createWebhooks` and
 * `createEventRouter`, over the OpenTelemetry API. One CONSUMER span per delivery, continuing the
 * trace context the delivery (or the queued job) carries.
 */
import {
  context,
  isSpanContextValid,
  propagation,
  ProxyTracerProvider,
  SpanKind,
  trace,
  type Attributes,
  type Context,
  type Link,
  type MeterProvider,
  type TracerProvider,
} from '@opentelemetry/api';
import type { DeliveryStart, PollScope, WatchTelemetry, WebhookTelemetry } from '@x/together-webhooks-core';
import {
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  INSTRUMENTATION_NAME,
  MESSAGING_SYSTEM,
  POLL_SPAN_NAME,
} from './attributes.js';
import { eventAttributes, OpenTelemetryDeliveryScope, processSpanName } from './delivery-scope.js';
import { instrumentsOf } from './metrics.js';
import { OpenTelemetryPollScope } from './poll-scope.js';

/** Options of {@link openTelemetry}. */
export interface OpenTelemetryOptions {
  /** Where spans go. Default: the global provider, the one an SDK registers (also one registered later). */
  tracerProvider?: TracerProvider;
  /** Where metrics go. Default: the global provider, looked up at each delivery (also one registered later). */
  meterProvider?: MeterProvider;
}

/**
 * Traces and metrics for every delivery, following OpenTelemetry's messaging conventions: pass
 * the result as `telemetry` to `createWebhooks` or `createEventRouter`.
 *
 * - A span per delivery (`handle`, `dispatch`, a queue worker's run): kind CONSUMER, named
 *   `process <event type>`, with `messaging.operation.type` `process`, `messaging.message.id`
 *   (the event id), the event type, the outcome and, on failure, `error.type`. The handlers run
 *   in its context, so their own spans are its children; each store call is a child span
 *   (`claim`, `renew`, `complete`, `release`), and in queue mode the enqueue is a PRODUCER span
 *   `send <event type>` whose context travels with the job.
 * - The `traceparent` an HTTP delivery carries (the watcher's forwarding sends one) is continued:
 *   the span is its child and links to it. That needs a W3C trace context propagator, which the
 *   SDKs register by default. Inside an HTTP server span (the HTTP instrumentation), the span is
 *   that span's child instead, still linked to the sender's context.
 * - Metrics: `messaging.process.duration` (histogram, seconds) and
 *   `messaging.client.consumed.messages` (counter), by event type and outcome.
 * - The watcher (give the same object as `telemetry` to `watchTogetherJobs` or
 *   `pollTogetherJobs`): a span per poll, a PRODUCER span `send <event type>` per forwarded event
 *   whose context goes out as `traceparent`/`tracestate` (the receiver continues it), and the
 *   polls' duration, requests, announced events and errors, with `messaging.client.sent.messages`.
 *
 * Without an SDK every call is a no-op of the API, and the cost stays within a few percent.
 *
 * @param options - the tracer and meter providers; default the global ones
 * @returns the `telemetry` option
 * @example
 * ```ts
 * import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
 * import { openTelemetry } from '@x/together-webhooks-otel';
 *
 * const webhooks = createWebhooks({
 *   secret: process.env.TOGETHER_WEBHOOK_SECRET!,
 *   store: memoryStore(),
 *   telemetry: openTelemetry(),
 * });
 * ```
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): WebhookTelemetry & WatchTelemetry {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const { tracerProvider, meterProvider } = options;
  if (tracerProvider !== undefined && typeof (tracerProvider as Partial<TracerProvider> | null)?.getTracer !== 'function') {
    throw new TypeError('tracerProvider must be an OpenTelemetry TracerProvider (with getTracer)');
  }
  if (meterProvider !== undefined && typeof (meterProvider as Partial<MeterProvider> | null)?.getMeter !== 'function') {
    throw new TypeError('meterProvider must be an OpenTelemetry MeterProvider (with getMeter)');
  }
  // The API's global tracer is a proxy: it follows an SDK registered after this call.
  const tracer = tracerProvider ? tracerProvider.getTracer(INSTRUMENTATION_NAME) : trace.getTracer(INSTRUMENTATION_NAME);
  const instruments = instrumentsOf(meterProvider);
  // With the API alone (no SDK registered, none given) there is nothing to record: one shared scope that passes through.
  const apiOnly = (): boolean => !tracerProvider && !globalTracing() && instruments().delivery.noop;

  return {
    startDelivery({ event, traceContext }: DeliveryStart) {
      // Nothing to record: the core runs the delivery as without telemetry.
      if (apiOnly()) return undefined;
      const active = context.active();
      const { parent, links } = traceContext ? continued(active, traceContext) : { parent: active, links: undefined };
      const attributes: Attributes = {
        [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM,
        [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
        [ATTR_MESSAGING_OPERATION_NAME]: 'process',
      };
      if (event) eventAttributes(event, attributes);
      const span = tracer.startSpan(processSpanName(event), links ? { kind: SpanKind.CONSUMER, attributes, links } : { kind: SpanKind.CONSUMER, attributes }, parent);
      // Without an SDK the span is the API's no-op, with no context of its own: the parent's stays current.
      const spanContext = isSpanContextValid(span.spanContext()) ? trace.setSpan(parent, span) : undefined;
      return new OpenTelemetryDeliveryScope(tracer, span, spanContext ?? parent, spanContext !== undefined, () => instruments().delivery, event);
    },
    startPoll() {
      if (apiOnly()) return POLL_PASS_THROUGH;
      const parent = context.active();
      // A poll starts on a timer or a schedule: a root span, unless the caller runs it inside one of its own.
      const span = tracer.startSpan(POLL_SPAN_NAME, { kind: SpanKind.INTERNAL, attributes: { [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM } }, parent);
      return new OpenTelemetryPollScope(tracer, span, parent, () => instruments().poll);
    },
  };
}

/** The scope of a poll with nothing to record. */
const POLL_PASS_THROUGH: PollScope = {
  run: (poll) => poll(),
  send: (_event, deliver) => deliver(undefined),
  reported: () => undefined,
  end: () => undefined,
};

// The API's no-op tracer provider: what its global proxy delegates to until an SDK registers. The
// proxy's class is deprecated as an export (for the API's next major), and is the only way to ask.
// eslint-disable-next-line @typescript-eslint/no-deprecated -- see above
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

/** Whether an SDK registered a global tracer provider (the proxy delegates to something real). */
function globalTracing(): boolean {
  const global = trace.getTracerProvider() as { getDelegate?: () => unknown };
  return typeof global.getDelegate !== 'function' || global.getDelegate() !== NOOP_TRACER_PROVIDER;
}

/**
 * Where a delivery's span goes, given the trace context it carried: a child of the sender's span,
 * linked to it (the conventions' link to the creation context). When a span is already active (an
 * HTTP server span of the same request, or a worker's own span) the delivery's span is its child,
 * still linked to the sender's.
 */
function continued(active: Context, traceContext: Readonly<Record<string, string>>): { parent: Context; links: Link[] | undefined } {
  const extracted = propagation.extract(active, traceContext);
  const sender = trace.getSpanContext(extracted);
  const current = trace.getSpanContext(active);
  if (!sender || !isSpanContextValid(sender) || sender === current) return { parent: active, links: undefined };
  const links = [{ context: sender }];
  return { parent: current && isSpanContextValid(current) ? active : extracted, links };
}
