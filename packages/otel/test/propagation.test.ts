/**
 * One trace from the sender to the handler: a span whose context goes out as `traceparent` on a
 * signed delivery over real HTTP (the Express adapter) is continued by the receiver's span, and
 * ends in the handler's own span; in queue mode the context travels with the job to the worker.
 */
import type { Server } from 'node:http';
import { context, propagation, SpanKind, trace, type SpanContext } from '@opentelemetry/api';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventRouter, createWebhooks, memoryStore, type TogetherEvent, type TraceCarrier } from '@x/together-webhooks-core';
import { createSignedDelivery, createTestEvent } from '@x/together-webhooks-core/testing';
import { togetherWebhooks } from '@x/together-webhooks-express';
import { close, listen, sendRequest } from '@x/together-webhooks-test-support';
import { childrenOf, otelHarness, spanNamed } from './harness.js';

const otel = otelHarness();
const secret = 'whsec_otel_propagation_test';

/** The W3C headers of `span`'s context, as a sender injects them. */
function headersOf(spanContext: SpanContext): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpanContext(context.active(), spanContext), headers);
  return headers;
}

describe('a trace from the sender, over HTTP, to the handler', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const webhooks = createWebhooks({ secret, store: memoryStore(), telemetry: otel.telemetry });
    webhooks.on('fine_tune.completed', () => otel.tracer.startActiveSpan('deploy model', (span) => span.end()));
    const app = express();
    app.post('/webhooks/together', togetherWebhooks(webhooks));
    server = app.listen(0, '127.0.0.1');
    url = `${await listen(server)}/webhooks/together`;
  });
  afterAll(() => close(server));

  it('continues the traceparent the delivery carries: sender span → process span → handler span', async () => {
    const event = createTestEvent('fine_tune.completed');
    const delivery = createSignedDelivery(event, { secret });
    const sender = otel.tracer.startSpan('forward fine_tune.completed', { kind: SpanKind.PRODUCER });
    const traceHeaders = headersOf(sender.spanContext());
    expect(traceHeaders.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const answer = await sendRequest(url, { body: delivery.body, headers: { ...delivery.headers, ...traceHeaders } });
    sender.end();
    expect(answer).toMatchObject({ status: 200, body: { outcome: 'processed', id: event.id } });

    const spans = otel.spans();
    const senderSpan = spanNamed(spans, 'forward fine_tune.completed');
    const processSpan = spanNamed(spans, 'process fine_tune.completed');
    const handlerSpan = spanNamed(spans, 'deploy model');
    const { traceId, spanId } = senderSpan.spanContext();
    // Remote: the parent came through the header, not through this process's active context.
    expect(processSpan.parentSpanContext).toMatchObject({ traceId, spanId, isRemote: true });
    expect(processSpan.links.map((link) => link.context)).toEqual([expect.objectContaining({ traceId, spanId })]);
    expect(handlerSpan.parentSpanContext?.spanId).toBe(processSpan.spanContext().spanId);
    expect(handlerSpan.spanContext().traceId).toBe(traceId);
    expect(childrenOf(spans, processSpan).map((span) => span.name)).toEqual(['claim', 'deploy model', 'complete']);
  });

  it('starts a trace of its own when the traceparent is not valid, or absent', async () => {
    for (const traceparent of ['00-00000000000000000000000000000000-0000000000000000-01', 'not a traceparent', undefined]) {
      const delivery = createSignedDelivery(createTestEvent('fine_tune.completed'), { secret });
      const headers = traceparent ? { ...delivery.headers, traceparent } : delivery.headers;
      expect((await sendRequest(url, { body: delivery.body, headers })).status).toBe(200);
    }
    const processSpans = otel.spans().filter((span) => span.name === 'process fine_tune.completed');
    expect(processSpans).toHaveLength(3);
    for (const span of processSpans) {
      expect(span.parentSpanContext).toBeUndefined();
      expect(span.links).toEqual([]);
    }
  });
});

describe('inside a span that is already active (an HTTP server span)', () => {
  it('is that span’s child, linked to the sender’s context', async () => {
    const webhooks = createWebhooks({ secret, telemetry: otel.telemetry }).onAny(() => undefined);
    const sender = otel.tracer.startSpan('sender');
    const delivery = createSignedDelivery(createTestEvent('batch.completed'), { secret });
    await otel.tracer.startActiveSpan('POST /webhooks/together', { kind: SpanKind.SERVER }, async (serverSpan) => {
      await webhooks.handle({ body: delivery.body, headers: { ...delivery.headers, ...headersOf(sender.spanContext()) } });
      serverSpan.end();
    });
    sender.end();
    const spans = otel.spans();
    const processSpan = spanNamed(spans, 'process batch.completed');
    expect(processSpan.parentSpanContext?.spanId).toBe(spanNamed(spans, 'POST /webhooks/together').spanContext().spanId);
    expect(processSpan.links.map((link) => link.context.spanId)).toEqual([sender.spanContext().spanId]);
  });
});

describe('queue mode: the trace travels with the job', () => {
  it('receiver span → send span → worker’s process span → handler span, one trace', async () => {
    const jobs: { event: TogetherEvent; traceContext?: TraceCarrier }[] = [];
    const receiver = createWebhooks({
      secret,
      telemetry: otel.telemetry,
      // A broker keeps the job and its headers; JSON both ways, as a real one serialises them.
      queue: { enqueue: async (event, options) => void jobs.push(JSON.parse(JSON.stringify({ event, ...options })) as (typeof jobs)[number]) },
    });
    const worker = createEventRouter({ store: memoryStore(), telemetry: otel.telemetry });
    worker.on('batch.completed', () => otel.tracer.startActiveSpan('write report', (span) => span.end()));

    const event = createTestEvent('batch.completed');
    expect((await receiver.handle(createSignedDelivery(event, { secret }))).outcome).toBe('queued');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.traceContext?.traceparent).toMatch(/^00-/);
    // The worker runs later, in a context of its own.
    const job = jobs[0]!;
    const result = await context.with(trace.deleteSpan(context.active()), () => worker.dispatch(job.event, job.traceContext ? { traceContext: job.traceContext } : {}));
    expect(result.outcome).toBe('processed');

    const spans = otel.spans();
    const received = spans.find((span) => span.attributes['messaging.together_webhooks.outcome'] === 'queued')!;
    const processed = spans.find((span) => span.attributes['messaging.together_webhooks.outcome'] === 'processed')!;
    const send = spanNamed(spans, 'send batch.completed');
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.parentSpanContext?.spanId).toBe(received.spanContext().spanId);
    expect(processed.kind).toBe(SpanKind.CONSUMER);
    expect(processed.parentSpanContext).toMatchObject({ spanId: send.spanContext().spanId, isRemote: true });
    expect(processed.links.map((link) => link.context.spanId)).toEqual([send.spanContext().spanId]);
    expect(spanNamed(spans, 'write report').parentSpanContext?.spanId).toBe(processed.spanContext().spanId);
    expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
  });
});
