/**
 * @module poll-scope — one poll of the watcher: an INTERNAL span around it (the requests to
 * Together nest inside, under the HTTP instrumentation), a PRODUCER `send <event type>` span per
 * forwarded event whose context goes out with the event, and the polls' metrics.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { PollScope, PollSummary, SendOutcome, TogetherEvent, TraceCarrier } from '@x/together-webhooks-core';
import {
  ATTR_ERROR_TYPE,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  ATTR_POLL_ANNOUNCED,
  ATTR_POLL_DELIVERED,
  ATTR_POLL_FAILED,
  ATTR_POLL_PENDING,
  ATTR_POLL_REQUESTS,
  ATTR_WATCH_PHASE,
  MESSAGING_SYSTEM,
} from './attributes.js';
import { errorName, eventAttributes, now } from './delivery-scope.js';
import type { PollInstruments } from './metrics.js';

/** The scope of one poll, over its span (recording or not: a sampled-out span still carries the context). */
export class OpenTelemetryPollScope implements PollScope {
  private readonly startedAt = now();
  private readonly context: Context;

  constructor(
    private readonly tracer: Tracer,
    private readonly span: Span,
    parent: Context,
    private readonly instruments: () => PollInstruments,
  ) {
    this.context = trace.setSpan(parent, span);
  }

  run<T>(poll: () => Promise<T>): Promise<T> {
    return context.with(this.context, poll);
  }

  async send<T extends SendOutcome>(event: TogetherEvent, deliver: (traceContext: TraceCarrier | undefined) => Promise<T>): Promise<T> {
    const attributes: Attributes = {
      [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM,
      [ATTR_MESSAGING_OPERATION_TYPE]: 'send',
      [ATTR_MESSAGING_OPERATION_NAME]: 'send',
    };
    const span = this.tracer.startSpan(`send ${event.type}`, { kind: SpanKind.PRODUCER, attributes: eventAttributes(event, attributes) }, this.context);
    const sendContext = trace.setSpan(this.context, span);
    const carrier: Record<string, string> = {};
    propagation.inject(sendContext, carrier);
    let outcome: T;
    try {
      outcome = await context.with(sendContext, () => deliver(Object.keys(carrier).length > 0 ? carrier : undefined));
    } catch (error) {
      this.endSend(span, event, error);
      throw error;
    }
    this.endSend(span, event, outcome.delivered ? undefined : (outcome.error ?? new Error('not delivered')));
    return outcome;
  }

  reported(error: unknown, phase: string): void {
    // Counted by phase and type only: a message can carry a URL or an answer's text.
    this.instruments().errors.add(1, { [ATTR_WATCH_PHASE]: phase, [ATTR_ERROR_TYPE]: errorName(error) });
  }

  end(summary: PollSummary): void {
    const { span } = this;
    if (span.isRecording()) {
      span.setAttributes({
        [ATTR_POLL_REQUESTS]: summary.requests,
        [ATTR_POLL_ANNOUNCED]: summary.announced,
        [ATTR_POLL_DELIVERED]: summary.delivered,
        [ATTR_POLL_PENDING]: summary.pending,
        [ATTR_POLL_FAILED]: summary.failed,
      });
      if (summary.failed) span.setStatus({ code: SpanStatusCode.ERROR, message: 'a request to Together or to the watch state failed' });
    }
    span.end();
    const instruments = this.instruments();
    instruments.duration.record((now() - this.startedAt) / 1000, { [ATTR_POLL_FAILED]: summary.failed });
    instruments.requests.add(summary.requests);
    instruments.announced.add(summary.announced);
  }

  private endSend(span: Span, event: TogetherEvent, error: unknown): void {
    const attributes: Attributes = {
      [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM,
      [ATTR_MESSAGING_OPERATION_NAME]: 'send',
      [ATTR_MESSAGING_DESTINATION_NAME]: event.type,
    };
    if (error !== undefined) {
      attributes[ATTR_ERROR_TYPE] = errorName(error);
      if (span.isRecording()) {
        span.setAttribute(ATTR_ERROR_TYPE, errorName(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'not delivered' });
      }
    }
    span.end();
    this.instruments().sent.add(1, attributes);
  }
}
