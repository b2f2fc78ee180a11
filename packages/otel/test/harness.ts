/**
 * @module harness — the real OpenTelemetry SDK for the tests: a tracer provider exporting to an
 * in-memory exporter, a meter provider read through an in-memory metric exporter, and the global
 * AsyncLocalStorage context manager and W3C propagator an SDK registers. Plus the helpers that
 * read spans as a tree.
 */
import { context, propagation, trace, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach } from 'vitest';
import { openTelemetry } from '@x/together-webhooks-otel';

/** An SDK set up for one test file; spans and metrics are cleared after each test. */
export function otelHarness() {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // Read on demand (forceFlush) only: the interval is longer than any test.
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const tracer = tracerProvider.getTracer('test');

  afterEach(() => {
    exporter.reset();
    metricExporter.reset();
  });
  afterAll(async () => {
    await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    context.disable();
    propagation.disable();
  });

  return {
    telemetry: openTelemetry({ tracerProvider, meterProvider }),
    tracerProvider,
    meterProvider,
    /** A tracer of the test itself, for the sender's and the handlers' own spans. */
    tracer,
    spans: (): ReadableSpan[] => exporter.getFinishedSpans(),
    /** Collects the metrics now (cumulative since the file started: compare differences). */
    async metrics(): Promise<ResourceMetrics[]> {
      metricExporter.reset();
      await reader.forceFlush();
      return metricExporter.getMetrics();
    },
  };
}

/** The one finished span named `name` (fails naming the spans there are). */
export function spanNamed(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((span) => span.name === name);
  if (found.length !== 1) throw new Error(`expected one span "${name}", found ${found.length} among ${spans.map((s) => s.name).join(', ')}`);
  return found[0]!;
}

/** The spans whose parent is `parent`, in the order they started. */
export function childrenOf(spans: readonly ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  return spans
    .filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId)
    .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
}

/** Every attribute value of every span, its events and its links, as text: what a backend would store. */
export function everyAttributeValue(spans: readonly ReadableSpan[]): string[] {
  const values = (attributes: Attributes | undefined) => Object.values(attributes ?? {}).map((value) => String(value));
  return spans.flatMap((span) => [
    span.name,
    span.status.message ?? '',
    ...values(span.attributes),
    ...span.events.flatMap((event) => [event.name, ...values(event.attributes)]),
    ...span.links.flatMap((link) => values(link.attributes)),
  ]);
}

export { trace };
