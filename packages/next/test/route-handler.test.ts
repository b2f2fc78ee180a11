import { describe, expect, it } from 'vitest';
import { createWebhooks, memoryStore, type IdempotencyStore } from '@x/together-webhooks-core';
import { TEST_SECRET, busyStore, signedDelivery, unreachableStore } from '@x/together-webhooks-node-http/testing';
import { createRouteHandler } from '../src/index.js';

function setup(options: { store?: IdempotencyStore; maxBodyBytes?: number } = {}) {
  const runs: string[] = [];
  const webhooks = createWebhooks({ secret: TEST_SECRET, store: options.store ?? memoryStore(), ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}) });
  webhooks.on('fine_tune.completed', (event) => {
    runs.push(event.id);
  });
  return { POST: createRouteHandler(webhooks), runs };
}

function request(body: BodyInit, headers: Record<string, string>): Request {
  return new Request('http://127.0.0.1/api/webhooks/together', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
}

describe('createRouteHandler', () => {
  it('answers a valid delivery with the core result as JSON, then a duplicate', async () => {
    const { POST, runs } = setup();
    const delivery = signedDelivery();
    const first = await POST(request(delivery.body, delivery.headers));
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await first.json()).toEqual({ ok: true, outcome: 'processed', id: delivery.id });
    const again = await POST(request(delivery.body, delivery.headers));
    expect(await again.json()).toEqual({ ok: true, outcome: 'duplicate', id: delivery.id });
    expect(runs).toEqual([delivery.id]);
  });

  it.each<[string, (d: ReturnType<typeof signedDelivery>) => Request, number, string]>([
    ['a tampered body', (d) => request(d.body.replace('"completed"', '"failed"'), d.headers), 401, 'signature_mismatch'],
    ['a stale timestamp', () => {
      const d = signedDelivery({ timestamp: Math.floor(Date.now() / 1000) - 3600 });
      return request(d.body, d.headers);
    }, 401, 'timestamp_too_old'],
    ['no signature', (d) => request(d.body, { 'x-together-timestamp': d.headers['x-together-timestamp']! }), 401, 'missing_signature'],
    ['a body streamed past maxBodyBytes', (d) => request(new ReadableStream({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(new Uint8Array(1024).fill(32));
        controller.close();
      },
    }), d.headers), 413, 'payload_too_large'],
  ])('rejects %s', async (_case, make, status, code) => {
    const { POST, runs } = setup({ maxBodyBytes: 4096 });
    const response = await POST(make(signedDelivery()));
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ ok: false, outcome: 'rejected', error: code });
    expect(runs).toEqual([]);
  });

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
