/**
 * The two instruments, read with the real SDK's metric reader: `messaging.process.duration`
 * (histogram, seconds) and `messaging.client.consumed.messages` (counter), by event type, outcome
 * and error type; never the event id.
 */
import { DataPointType, type HistogramMetricData, type MetricData, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
import { createSignedDelivery, createTestEvent } from '@x/together-webhooks-core/testing';
import { otelHarness } from './harness.js';

const otel = otelHarness();
const secret = 'whsec_otel_metrics_test';

async function metricNamed(name: string): Promise<MetricData> {
  const found = (await otel.metrics()).flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics)).find((metric) => metric.descriptor.name === name);
  if (!found) throw new Error(`no metric ${name}`);
  return found;
}

const base = { 'messaging.system': 'together_webhooks', 'messaging.operation.name': 'process' };
const of = (type: string, outcome: string, errorType?: string) => ({
  ...base,
  'messaging.destination.name': type,
  'messaging.together_webhooks.event.type': type,
  'messaging.together_webhooks.outcome': outcome,
  ...(errorType && { 'error.type': errorType }),
});

describe('metrics', () => {
  it('count deliveries and their durations by event type, outcome and error type', async () => {
    const webhooks = createWebhooks({ secret, store: memoryStore(), telemetry: otel.telemetry, onError: () => undefined });
    webhooks.on('batch.completed', () => new Promise((resolve) => setTimeout(resolve, 20)));
    webhooks.on('batch.failed', () => {
      throw new TypeError('bad batch');
    });
    const completed = createSignedDelivery(createTestEvent('batch.completed'), { secret });
    await webhooks.handle(completed);
    await webhooks.handle(completed);
    await webhooks.handle(createSignedDelivery(createTestEvent('batch.completed'), { secret }));
    await webhooks.handle(createSignedDelivery(createTestEvent('batch.failed'), { secret }));
    await webhooks.handle(createSignedDelivery(createTestEvent('batch.failed'), { secret: 'whsec_forger' }));

    const counter = (await metricNamed('messaging.client.consumed.messages')) as SumMetricData;
    expect(counter.descriptor).toMatchObject({ unit: '{message}' });
    expect(counter.dataPointType).toBe(DataPointType.SUM);
    expect(counter.isMonotonic).toBe(true);
    const counts = counter.dataPoints.map((point) => [point.attributes, point.value]);
    expect(counts).toEqual(
      expect.arrayContaining([
        [of('batch.completed', 'processed'), 2],
        [of('batch.completed', 'duplicate'), 1],
        [of('batch.failed', 'failed', 'TypeError'), 1],
        [{ ...base, 'messaging.together_webhooks.outcome': 'rejected', 'error.type': 'signature_mismatch' }, 1],
      ]),
    );
    expect(counts).toHaveLength(4);

    const histogram = (await metricNamed('messaging.process.duration')) as HistogramMetricData;
    expect(histogram.descriptor).toMatchObject({ unit: 's' });
    const processed = histogram.dataPoints.find((point) => point.attributes['messaging.together_webhooks.outcome'] === 'processed')!;
    expect(processed.value.count).toBe(2);
    // Seconds, not milliseconds: two handlers of about 20 ms each.
    expect(processed.value.sum).toBeGreaterThan(0.03);
    expect(processed.value.sum).toBeLessThan(10);
    expect(processed.value.buckets.boundaries).toEqual([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
    for (const point of histogram.dataPoints) expect(point.attributes).not.toHaveProperty('messaging.message.id');
  });
});
