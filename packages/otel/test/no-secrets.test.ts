/**
 * Nothing a delivery must keep private reaches the telemetry: not the secret, not a signature,
 * not the body (beyond the event's id and type, which the conventions ask for, and nothing at
 * all of a rejected delivery), in any span name, attribute, event, link or metric attribute.
 */
import { describe, expect, it } from 'vitest';
import { createEventRouter, createWebhooks, memoryStore, type TogetherEvent, type TraceCarrier } from '@x/together-webhooks-core';
import { createSignedDelivery, createTestEvent } from '@x/together-webhooks-core/testing';
import { unreachableStore } from '@x/together-webhooks-test-support';
import { everyAttributeValue, otelHarness } from './harness.js';

const otel = otelHarness();
const secret = 'whsec_SECRET_MARKER_9c41d2';
const bodyMarker = 'BODY_MARKER_5e8a0b';

describe('no secret, signature or body in the telemetry', () => {
  it('holds for every kind of delivery', async () => {
    const signatures: string[] = [];
    const rejectedIds: string[] = [];
    const jobs: { event: TogetherEvent; traceContext?: TraceCarrier }[] = [];
    const event = (type: 'batch.completed' | 'batch.failed') => createTestEvent(type, { data: { error: bodyMarker, output_file_id: bodyMarker } });
    const sign = (e: TogetherEvent, options: Parameters<typeof createSignedDelivery>[1] = { secret }) => {
      const delivery = createSignedDelivery(e, options);
      signatures.push(...Object.values(delivery.headers));
      return delivery;
    };
    const onError = () => undefined;
    const webhooks = createWebhooks({ secret, store: memoryStore(), telemetry: otel.telemetry, onError });
    webhooks.on('batch.completed', () => undefined);
    webhooks.on('batch.failed', () => {
      throw new Error('the handler failed');
    });
    const processed = sign(event('batch.completed'));
    await webhooks.handle(processed);
    await webhooks.handle(processed);
    await webhooks.handle(sign(event('batch.failed')));
    for (const options of [{ secret: 'whsec_forger' }, { secret, timestamp: 1 }]) {
      const rejected = event('batch.completed');
      rejectedIds.push(rejected.id);
      await webhooks.handle(sign(rejected, options));
    }
    const unparsable = createSignedDelivery(`{"id":"${bodyMarker}"`, { secret });
    signatures.push(...Object.values(unparsable.headers));
    await webhooks.handle(unparsable);
    await createWebhooks({ secret, store: unreachableStore(), telemetry: otel.telemetry, onError }).onAny(() => undefined).handle(sign(event('batch.completed')));
    const queued = createWebhooks({ secret, telemetry: otel.telemetry, queue: { enqueue: async (e, options) => void jobs.push({ event: e, ...options }) } });
    await queued.handle(sign(event('batch.completed')));
    const worker = createEventRouter({ store: memoryStore(), telemetry: otel.telemetry }).onAny(() => undefined);
    await worker.dispatch(jobs[0]!.event, jobs[0]!.traceContext ? { traceContext: jobs[0]!.traceContext } : {});

    const spans = otel.spans();
    expect(spans.length).toBeGreaterThan(10);
    const metricAttributes = (await otel.metrics())
      .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics))
      .flatMap((metric) => (metric.dataPoints as { attributes: Record<string, unknown> }[]).map((point) => Object.values(point.attributes).map(String)))
      .flat();
    const recorded = [...everyAttributeValue(spans), ...metricAttributes];
    expect(recorded.length).toBeGreaterThan(100);
    const forbidden = [secret, 'SECRET_MARKER', bodyMarker, ...signatures.filter((value) => value.length >= 16), ...rejectedIds];
    for (const value of recorded) for (const word of forbidden) expect(value).not.toContain(word);
  });
});
