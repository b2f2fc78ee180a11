/**
 * The watcher's side: a span per poll, a PRODUCER span per forwarded event whose context goes out
 * with the signed delivery, so one trace runs from the watcher's poll to a handler on another
 * server (real HTTP, the Express adapter); in process the router's span is the send span's child.
 * And the polls' metrics.
 */
import type { Server } from 'node:http';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { MetricData, SumMetricData } from '@opentelemetry/sdk-metrics';
import express from 'express';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEventRouter, createWebhooks, memoryStore } from '@x/together-webhooks-core';
import { togetherWebhooks } from '@x/together-webhooks-express';
import { close, listen } from '@x/together-webhooks-test-support';
import { memoryWatchState, pollTogetherJobs, type PollTogetherJobsOptions } from '@x/together-webhooks-watch';
import { startFakeTogetherApi, type FakeTogetherApi } from '@x/together-webhooks-watch/testing';
import { childrenOf, everyAttributeValue, otelHarness, spanNamed } from './harness.js';

const otel = otelHarness();
const secret = 'whsec_otel_watcher_SECRET_4f1c';

let api: FakeTogetherApi;
let server: Server;
let url: string;
let receiverUp = true;
const handled: string[] = [];

beforeAll(async () => {
  // The receiver: another server, with its own telemetry (the same SDK here, as one backend sees both).
  const webhooks = createWebhooks({ secret, store: memoryStore(), telemetry: otel.telemetry });
  webhooks.on('batch.completed', (event) =>
    otel.tracer.startActiveSpan('write report', (span) => {
      handled.push(event.id);
      span.end();
    }),
  );
  const app = express();
  app.use((_req, res, next) => (receiverUp ? next() : res.status(503).json({ ok: false, outcome: 'store_unavailable' })));
  app.post('/webhooks/together', togetherWebhooks(webhooks));
  server = app.listen(0, '127.0.0.1');
  url = `${await listen(server)}/webhooks/together`;
});
afterAll(() => close(server));
// A Together of its own per test: each poll (with a fresh state) announces only that test's jobs.
beforeEach(async () => {
  api = await startFakeTogetherApi();
});
afterEach(async () => {
  receiverUp = true;
  await api.close();
});

const poll = (options: Partial<PollTogetherJobsOptions>) =>
  pollTogetherJobs({
    apiKey: api.apiKey,
    baseURL: api.baseURL,
    deliver: { url, secret, maxAttempts: 1 },
    state: memoryWatchState(),
    resources: ['batch'],
    telemetry: otel.telemetry,
    onError: () => undefined,
    ...options,
  });

async function metricNamed(name: string): Promise<MetricData | undefined> {
  return (await otel.metrics()).flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics)).find((metric) => metric.descriptor.name === name);
}
const sum = (metric: MetricData | undefined, match: Record<string, unknown> = {}): number =>
  ((metric as SumMetricData | undefined)?.dataPoints ?? [])
    .filter((point) => Object.entries(match).every(([key, value]) => point.attributes[key] === value))
    .reduce((total, point) => total + point.value, 0);

describe('a trace from the watcher’s poll to a handler on another server', () => {
  it('poll span → send span → the receiver’s process span → the handler’s span, one trace', async () => {
    const job = api.create('batch', { id: 'trace-1', status: 'COMPLETED' });
    const report = await poll({});
    expect(report).toMatchObject({ announced: 1, delivered: 1, pending: 0, failed: false });
    const eventId = `batch:${String(job.id)}:COMPLETED`;
    expect(handled).toContain(eventId);

    const spans = otel.spans();
    const pollSpan = spanNamed(spans, 'poll Together jobs');
    const send = spanNamed(spans, 'send batch.completed');
    const processSpan = spanNamed(spans, 'process batch.completed');
    const handler = spanNamed(spans, 'write report');
    const { traceId } = pollSpan.spanContext();

    expect(pollSpan.parentSpanContext).toBeUndefined();
    expect(pollSpan.kind).toBe(SpanKind.INTERNAL);
    expect(pollSpan.attributes).toMatchObject({
      'together_webhooks.watch.poll.requests': 1,
      'together_webhooks.watch.poll.announced': 1,
      'together_webhooks.watch.poll.delivered': 1,
      'together_webhooks.watch.poll.pending': 0,
      'together_webhooks.watch.poll.failed': false,
    });
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.parentSpanContext?.spanId).toBe(pollSpan.spanContext().spanId);
    expect(send.attributes).toMatchObject({
      'messaging.system': 'together_webhooks',
      'messaging.operation.type': 'send',
      'messaging.message.id': eventId,
      'messaging.destination.name': 'batch.completed',
    });
    // Over HTTP: the receiver's span continues the traceparent the forwarding sent.
    expect(processSpan.parentSpanContext).toMatchObject({ traceId, spanId: send.spanContext().spanId, isRemote: true });
    expect(handler.parentSpanContext?.spanId).toBe(processSpan.spanContext().spanId);
    expect(new Set([send, processSpan, handler].map((span) => span.spanContext().traceId))).toEqual(new Set([traceId]));
    expect(everyAttributeValue(spans).filter((value) => value.includes(secret))).toEqual([]);
  });

  it('in process: the router’s span is the send span’s child', async () => {
    const router = createEventRouter({ store: memoryStore(), telemetry: otel.telemetry }).on('batch.completed', () => undefined);
    api.create('batch', { id: 'trace-2', status: 'COMPLETED' });
    await poll({ deliver: router });
    const spans = otel.spans();
    const send = spanNamed(spans, 'send batch.completed');
    const processSpan = spanNamed(spans, 'process batch.completed');
    expect(processSpan.parentSpanContext).toMatchObject({ spanId: send.spanContext().spanId });
    expect(processSpan.parentSpanContext?.isRemote).toBeFalsy();
    expect(childrenOf(spans, spanNamed(spans, 'poll Together jobs')).map((span) => span.name)).toEqual(['send batch.completed']);
  });

  it('a refused delivery: the send span and the sent counter carry error.type; the error is counted by phase', async () => {
    receiverUp = false;
    api.create('batch', { id: 'trace-3', status: 'COMPLETED' });
    const report = await poll({});
    expect(report).toMatchObject({ delivered: 0, pending: 1 });
    const send = spanNamed(otel.spans(), 'send batch.completed');
    expect(send.attributes['error.type']).toBe('WatchDeliveryError');
    expect(send.status.code).toBe(SpanStatusCode.ERROR);
    expect(sum(await metricNamed('messaging.client.sent.messages'), { 'error.type': 'WatchDeliveryError' })).toBe(1);
    expect(sum(await metricNamed('together_webhooks.watch.errors'), { 'together_webhooks.watch.phase': 'deliver', 'error.type': 'WatchDeliveryError' })).toBe(1);
  });

  it('a failed poll: the span’s status is ERROR, and the failure is counted', async () => {
    api.fault({ status: 500, path: '/v1/batches' });
    const report = await poll({});
    expect(report.failed).toBe(true);
    const pollSpan = spanNamed(otel.spans(), 'poll Together jobs');
    expect(pollSpan.status.code).toBe(SpanStatusCode.ERROR);
    expect(pollSpan.attributes['together_webhooks.watch.poll.failed']).toBe(true);
    expect(sum(await metricNamed('together_webhooks.watch.errors'), { 'together_webhooks.watch.phase': 'poll' })).toBeGreaterThanOrEqual(1);
  });
});

describe('the polls’ metrics', () => {
  it('count requests and announced events, and time each poll', async () => {
    const before = {
      requests: sum(await metricNamed('together_webhooks.watch.requests')),
      announced: sum(await metricNamed('together_webhooks.watch.events.announced')),
    };
    api.create('batch', { id: 'metrics-1', status: 'COMPLETED' });
    api.create('batch', { id: 'metrics-2', status: 'IN_PROGRESS' });
    const report = await poll({});
    expect(sum(await metricNamed('together_webhooks.watch.requests')) - before.requests).toBe(report.requests);
    expect(sum(await metricNamed('together_webhooks.watch.events.announced')) - before.announced).toBe(report.announced);
    const duration = await metricNamed('together_webhooks.watch.poll.duration');
    expect(duration?.descriptor.unit).toBe('s');
    const points = (duration?.dataPoints ?? []) as { attributes: Record<string, unknown>; value: { count: number } }[];
    expect(points.some((point) => point.attributes['together_webhooks.watch.poll.failed'] === false && point.value.count >= 1)).toBe(true);
  });
});

describe('the watcher’s telemetry option', () => {
  it('is checked at construction', async () => {
    await expect(poll({ telemetry: {} as never })).rejects.toThrow(/telemetry must be a WatchTelemetry/);
  });
});
