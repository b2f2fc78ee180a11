/**
 * The span of every outcome of spec sections 6 and 13, through `handle()` with the real SDK:
 * name, kind, the exact attributes, status, and the child spans (store calls, the handler's own
 * span, the queue's `send`) in order, with their parentage.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import {
  createEventRouter,
  createWebhooks,
  memoryStore,
  standardWebhooksScheme,
  type EventQueue,
  type IdempotencyStore,
  type TogetherEvent,
  type WebhooksOptions,
} from '@x/together-webhooks-core';
import { createSignedDelivery, createTestEvent } from '@x/together-webhooks-core/testing';
import { togetherWebhooks } from '@x/together-webhooks-express';
import { close, listen, sendRequest, unreachableStore } from '@x/together-webhooks-test-support';
import express from 'express';
import { childrenOf, otelHarness, spanNamed } from './harness.js';

const otel = otelHarness();
const secret = 'whsec_otel_spans_test';
const quiet = { onError: () => undefined };

/** The attributes every process span has, plus the event's once verified. */
function processAttributes(outcome: string, event?: TogetherEvent) {
  return {
    'messaging.system': 'together_webhooks',
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    ...(event && { 'messaging.message.id': event.id, 'messaging.destination.name': event.type, 'messaging.together_webhooks.event.type': event.type }),
    'messaging.together_webhooks.outcome': outcome,
  };
}

/** A handler that makes a span of its own, as application code does. */
const handlerWithSpan = (fail = false) => () =>
  otel.tracer.startActiveSpan('deploy model', (span) => {
    span.end();
    if (fail) throw new Error('deploy failed');
  });

interface OutcomeCase {
  outcome: string;
  options?: Partial<WebhooksOptions>;
  /** Before the delivery: e.g. a claim held by someone else. */
  prepare?: (event: TogetherEvent, store: IdempotencyStore) => Promise<unknown>;
  fail?: boolean;
  type?: 'batch.completed' | 'batch.failed';
  /** The child spans of the process span, in order: [name, kind, extra attributes]. */
  children: [string, SpanKind, Record<string, unknown>][];
  errorType?: string;
}

const refusingQueue: EventQueue = { enqueue: () => Promise.reject(new Error('broker refused')) };
const acceptingQueue: EventQueue = { enqueue: () => Promise.resolve() };

const OUTCOMES: OutcomeCase[] = [
  {
    outcome: 'processed',
    children: [
      ['claim', SpanKind.INTERNAL, { 'messaging.together_webhooks.claim.state': 'claimed' }],
      ['deploy model', SpanKind.INTERNAL, {}],
      ['complete', SpanKind.INTERNAL, { 'messaging.together_webhooks.store.owned': true }],
    ],
  },
  {
    outcome: 'duplicate',
    prepare: async (event, store) => {
      const claim = await store.claim(`together:event:${event.id}`, 60_000);
      if (claim.state === 'claimed') await store.complete(`together:event:${event.id}`, claim.token, 60_000);
    },
    children: [['claim', SpanKind.INTERNAL, { 'messaging.together_webhooks.claim.state': 'completed' }]],
  },
  {
    outcome: 'in_progress',
    prepare: (event, store) => store.claim(`together:event:${event.id}`, 60_000),
    children: [['claim', SpanKind.INTERNAL, { 'messaging.together_webhooks.claim.state': 'in_progress' }]],
  },
  { outcome: 'unhandled', type: 'batch.failed', children: [] },
  {
    outcome: 'failed',
    fail: true,
    errorType: 'Error',
    children: [
      ['claim', SpanKind.INTERNAL, { 'messaging.together_webhooks.claim.state': 'claimed' }],
      ['deploy model', SpanKind.INTERNAL, {}],
      ['release', SpanKind.INTERNAL, { 'messaging.together_webhooks.store.owned': true }],
    ],
  },
  {
    outcome: 'store_unavailable',
    options: { store: unreachableStore() },
    errorType: 'Error',
    children: [['claim', SpanKind.INTERNAL, { 'error.type': 'Error' }]],
  },
  {
    outcome: 'queued',
    options: { queue: acceptingQueue },
    children: [['send batch.completed', SpanKind.PRODUCER, { 'messaging.operation.type': 'send', 'messaging.operation.name': 'send' }]],
  },
  {
    outcome: 'queue_unavailable',
    options: { queue: refusingQueue },
    errorType: 'Error',
    children: [['send batch.completed', SpanKind.PRODUCER, { 'messaging.operation.type': 'send', 'messaging.operation.name': 'send', 'error.type': 'Error' }]],
  },
];

describe('the span of each outcome (handle)', () => {
  it.each(OUTCOMES)('$outcome', async ({ outcome, options, prepare, fail, type = 'batch.completed', children, errorType }) => {
    const store = memoryStore();
    const webhooks = createWebhooks({ secret, store, telemetry: otel.telemetry, ...quiet, ...options });
    webhooks.on('batch.completed', handlerWithSpan(fail));
    const event = createTestEvent(type);
    await prepare?.(event, store);
    expect((await webhooks.handle(createSignedDelivery(event, { secret }))).outcome).toBe(outcome);

    const spans = otel.spans();
    const span = spanNamed(spans, `process ${type}`);
    expect(span.kind).toBe(SpanKind.CONSUMER);
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.attributes).toEqual({ ...processAttributes(outcome, event), ...(errorType && { 'error.type': errorType }) });
    expect(span.status.code).toBe(errorType ? SpanStatusCode.ERROR : SpanStatusCode.UNSET);
    expect(span.events.map((e) => e.name)).toEqual(outcome === 'failed' ? ['exception'] : []);

    const found = childrenOf(spans, span);
    expect(found.map((child) => [child.name, child.kind])).toEqual(children.map(([name, kind]) => [name, kind]));
    found.forEach((child, index) => {
      expect(child.spanContext().traceId).toBe(span.spanContext().traceId);
      if (child.name !== 'deploy model') {
        const messageId = child.kind === SpanKind.PRODUCER ? { 'messaging.destination.name': type, 'messaging.together_webhooks.event.type': type } : {};
        expect(child.attributes).toEqual({ 'messaging.system': 'together_webhooks', 'messaging.message.id': event.id, ...messageId, ...children[index]![2] });
      }
    });
    // Nothing else was recorded: the process span and its children are every span.
    expect(spans).toHaveLength(1 + children.length);
  });
});

// Each rejection code, made the way a sender (or an attacker) would get it.
const event = createTestEvent('batch.completed');
const delivery = () => createSignedDelivery(event, { secret });
const without = (name: string) => {
  const { body, headers } = delivery();
  return { body, headers: Object.fromEntries(Object.entries(headers).filter(([header]) => header !== name)) };
};
const hourFromNow = (sign: 1 | -1) => Math.floor(Date.now() / 1000) + sign * 3600;
const REJECTIONS: [string, () => { body: string | Uint8Array; headers: Record<string, string> }, Partial<WebhooksOptions>?][] = [
  ['missing_signature', () => without('x-together-signature')],
  ['missing_timestamp', () => without('x-together-timestamp')],
  ['invalid_timestamp', () => ({ ...delivery(), headers: { ...delivery().headers, 'x-together-timestamp': 'yesterday' } })],
  ['signature_mismatch', () => createSignedDelivery(event, { secret: 'whsec_not_the_receivers' })],
  ['timestamp_too_old', () => createSignedDelivery(event, { secret, timestamp: hourFromNow(-1) })],
  ['timestamp_in_future', () => createSignedDelivery(event, { secret, timestamp: hourFromNow(1) })],
  ['payload_too_large', () => createSignedDelivery(new Uint8Array(4096).fill(0x20), { secret }), { maxBodyBytes: 1024 }],
  ['invalid_payload', () => createSignedDelivery('{"this is": "not an event"}', { secret })],
  [
    'missing_id',
    () => {
      const { body, headers } = createSignedDelivery(event, { secret: 'whsec_c3RhbmRhcmQgd2ViaG9va3Mgc3BhbnM=', scheme: standardWebhooksScheme() });
      const rest: Record<string, string> = { ...headers };
      delete rest['webhook-id'];
      return { body, headers: rest };
    },
    { secret: 'whsec_c3RhbmRhcmQgd2ViaG9va3Mgc3BhbnM=', scheme: standardWebhooksScheme() },
  ],
];

describe('the span of a rejected delivery', () => {
  it.each(REJECTIONS)('%s: the code, nothing of the event, no child', async (code, make, options) => {
    const webhooks = createWebhooks({ secret, store: memoryStore(), telemetry: otel.telemetry, ...options }).onAny(handlerWithSpan());
    const result = await webhooks.handle(make());
    expect(result).toMatchObject({ outcome: 'rejected', body: { error: code } });
    const spans = otel.spans();
    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    expect(span.name).toBe('process');
    expect(span.kind).toBe(SpanKind.CONSUMER);
    expect(span.attributes).toEqual({ ...processAttributes('rejected'), 'messaging.together_webhooks.rejection.code': code, 'error.type': code });
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'rejected' });
    expect(span.events).toEqual([]);
  });

  it('an oversized body an adapter stops while reading (before handle): the same span, over real HTTP', async () => {
    const webhooks = createWebhooks({ secret, store: memoryStore(), telemetry: otel.telemetry, maxBodyBytes: 1024 }).onAny(handlerWithSpan());
    const app = express();
    app.post('/webhooks/together', togetherWebhooks(webhooks));
    const server = app.listen(0, '127.0.0.1');
    try {
      const url = `${await listen(server)}/webhooks/together`;
      const delivery = createSignedDelivery(createTestEvent('batch.completed', { data: { error: 'x'.repeat(4096) } }), { secret });
      expect((await sendRequest(url, { body: delivery.body, headers: delivery.headers })).status).toBe(413);
    } finally {
      await close(server);
    }
    const [span, ...others] = otel.spans();
    expect(others).toEqual([]);
    expect(span?.name).toBe('process');
    expect(span?.attributes).toEqual({ ...processAttributes('rejected'), 'messaging.together_webhooks.rejection.code': 'payload_too_large', 'error.type': 'payload_too_large' });
  });
});

describe('the span of a dispatch', () => {
  it('is a process span with the event from its start, the handler its child', async () => {
    const router = createEventRouter({ store: memoryStore(), telemetry: otel.telemetry }).onAny(handlerWithSpan());
    const trusted = createTestEvent('fine_tune.completed');
    expect((await router.dispatch(trusted)).outcome).toBe('processed');
    const spans = otel.spans();
    const span = spanNamed(spans, 'process fine_tune.completed');
    expect(span.kind).toBe(SpanKind.CONSUMER);
    expect(span.attributes).toEqual(processAttributes('processed', trusted));
    expect(childrenOf(spans, span).map((child) => child.name)).toEqual(['claim', 'deploy model', 'complete']);
  });

  it('records each lease renewal of a long handler as a child span', async () => {
    const router = createEventRouter({ store: memoryStore(), telemetry: otel.telemetry, leaseMs: 60 });
    router.onAny(() => new Promise((resolve) => setTimeout(resolve, 80)));
    expect((await router.dispatch(createTestEvent('batch.completed'))).outcome).toBe('processed');
    const spans = otel.spans();
    const names = childrenOf(spans, spanNamed(spans, 'process batch.completed')).map((child: ReadableSpan) => child.name);
    expect(names[0]).toBe('claim');
    expect(names).toContain('renew');
    expect(names.at(-1)).toBe('complete');
  });

  it('without a store: the handler inside, no store span', async () => {
    const router = createEventRouter({ telemetry: otel.telemetry }).onAny(handlerWithSpan());
    await router.dispatch(createTestEvent('batch.completed'));
    const spans = otel.spans();
    expect(childrenOf(spans, spanNamed(spans, 'process batch.completed')).map((child) => child.name)).toEqual(['deploy model']);
  });
});
