/**
 * The App Router handler passes the core's retry-after through. The delivery cases are in
 * delivery-cases.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createWebhooks, memoryStore, type IdempotencyStore } from '@x/together-webhooks-core';
import { TEST_SECRET, busyStore, signedDelivery, unreachableStore } from '@x/together-webhooks-test-support';
import { createRouteHandler } from '../src/index.js';

function setup(options: { store?: IdempotencyStore } = {}) {
  const webhooks = createWebhooks({ secret: TEST_SECRET, store: options.store ?? memoryStore() });
  // A handled type: an event no handler takes is answered unhandled before the store is asked.
  webhooks.on('fine_tune.completed', () => undefined);
  return { POST: createRouteHandler(webhooks) };
}

function request(body: BodyInit, headers: Record<string, string>): Request {
  return new Request('http://127.0.0.1/api/webhooks/together', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
}

describe('createRouteHandler', () => {
  it.each<[string, () => IdempotencyStore, number, string]>([
    ['in_progress', () => busyStore(1_000), 409, '1'],
    ['store_unavailable', unreachableStore, 503, '5'],
  ])('passes retry-after through for %s', async (outcome, store, status, retryAfter) => {
    const { POST } = setup({ store: store() });
    const delivery = signedDelivery();
    const response = await POST(request(delivery.body, delivery.headers));
    expect(response.status).toBe(status);
    expect(response.headers.get('retry-after')).toBe(retryAfter);
    expect(await response.json()).toEqual({ ok: false, outcome, id: delivery.id });
  });
});
