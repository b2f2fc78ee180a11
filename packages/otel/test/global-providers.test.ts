/**
 * `openTelemetry()` with no options: the global providers. With only the API (no SDK registered)
 * deliveries answer as without telemetry, nothing is recorded and no trace context is sent to the
 * queue; once an SDK registers its providers (later than the receiver was made, as happens when
 * the SDK starts after the app's modules load), the same receiver records spans and metrics.
 */
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
import { createSignedDelivery, createTestEvent } from '@x/together-webhooks-core/testing';
import { openTelemetry } from '@x/together-webhooks-otel';

const secret = 'whsec_otel_global_test';
const enqueued: unknown[][] = [];
const telemetry = openTelemetry();
const webhooks = createWebhooks({ secret, store: memoryStore(), telemetry }).on('batch.completed', () => undefined);
const queued = createWebhooks({ secret, telemetry, queue: { enqueue: async (...args) => void enqueued.push(args) } });
const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

afterAll(() => {
  trace.disable();
  metrics.disable();
  context.disable();
  propagation.disable();
});

describe('openTelemetry() over the global providers', () => {
  it('with the API alone: the same answers, and enqueue gets no trace context', async () => {
    const delivery = createSignedDelivery(createTestEvent('batch.completed'), { secret });
    expect((await webhooks.handle({ body: delivery.body, headers: { ...delivery.headers, traceparent } })).outcome).toBe('processed');
    expect((await webhooks.handle(delivery)).outcome).toBe('duplicate');
    expect((await queued.handle(createSignedDelivery(createTestEvent('batch.completed'), { secret }))).outcome).toBe('queued');
    expect(enqueued.map((args) => args.length)).toEqual([1]);
  });

  it('follows an SDK registered after the receiver was made', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const exporter = new InMemorySpanExporter();
    expect(trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))).toBe(true);
    const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
    expect(metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))).toBe(true);

    const delivery = createSignedDelivery(createTestEvent('batch.completed'), { secret });
    expect((await webhooks.handle({ body: delivery.body, headers: { ...delivery.headers, traceparent } })).outcome).toBe('processed');
    const span = exporter.getFinishedSpans().find((s) => s.name === 'process batch.completed');
    expect(span?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    await reader.forceFlush();
    const names = metricExporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name)));
    expect(names.sort()).toEqual(['messaging.client.consumed.messages', 'messaging.process.duration']);
    await queued.handle(createSignedDelivery(createTestEvent('batch.completed'), { secret }));
    const [, options] = enqueued.at(-1) as [unknown, { traceContext?: { traceparent?: string } } | undefined];
    expect(options?.traceContext?.traceparent).toMatch(/^00-/);
  });
});
