import { describe, expect, it } from 'vitest';
import { createWebhooks, memoryStore, sign, verify, verifySync, WebhookVerificationError } from '@x/together-webhooks-core';
import { createSignedDelivery, createTestEvent, toRequest } from '@x/together-webhooks-core/testing';

const secret = 'whsec_testkit_Jq2bF8sYx0';
const otherSecret = 'whsec_testkit_rotated_7aPz';
const now = () => Math.floor(Date.now() / 1000);

async function rejection(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return error as WebhookVerificationError;
}

describe('createSignedDelivery', () => {
  it('serialises an event with JSON.stringify and signs that exact string', () => {
    const event = createTestEvent('batch.completed');
    const delivery = createSignedDelivery(event, { secret, timestamp: 1_736_937_000 });
    expect(delivery.body).toBe(JSON.stringify(event));
    expect(delivery.headers).toEqual({
      'content-type': 'application/json',
      ...sign(delivery.body, { secret, timestamp: 1_736_937_000 }),
    });
    expect(verifySync(delivery, { secret, now: () => 1_736_937_000_000 })).toEqual(event);
  });

  it('keeps a string body exactly, bytes and all', () => {
    const body = '{ "id": "evt_1", "type": "batch.completed", "data": {} }\n';
    const delivery = createSignedDelivery(body, { secret });
    expect(delivery.body).toBe(body);
    expect(verifySync(delivery, { secret }).id).toBe('evt_1');
  });

  it('keeps a bytes body as the same bytes, including bytes that are not UTF-8', async () => {
    const prefix = new TextEncoder().encode('{"id":"evt_b","type":"resource.updated","data":{"note":"');
    const bytes = new Uint8Array([...prefix, 0xff, 0xfe, ...new TextEncoder().encode('"}}')]);
    const delivery = createSignedDelivery(bytes, { secret });
    expect(delivery.body).toBe(bytes);
    expect((await verify(delivery, { secret })).id).toBe('evt_b');
    expect((await verify(toRequest(delivery), { secret })).id).toBe('evt_b');
  });

  it('signs at the given timestamp: stale and future deliveries are authentic but rejected', async () => {
    const event = createTestEvent('fine_tune.failed');
    const stale = createSignedDelivery(event, { secret, timestamp: now() - 600 });
    expect((await rejection(verify(stale, { secret }))).code).toBe('timestamp_too_old');
    const future = createSignedDelivery(event, { secret, timestamp: now() + 600 });
    expect((await rejection(verify(future, { secret }))).code).toBe('timestamp_in_future');
    const current = createSignedDelivery(event, { secret });
    expect(Math.abs(Number(current.headers['x-together-timestamp']) - now())).toBeLessThanOrEqual(1);
  });

  it('signs with every secret given, as a sender rotating its secret does', async () => {
    const delivery = createSignedDelivery(createTestEvent('endpoint.started'), { secret: [secret, otherSecret] });
    expect(delivery.headers['x-together-signature']).toMatch(/^[0-9a-f]{64},[0-9a-f]{64}$/);
    expect((await verify(delivery, { secret })).type).toBe('endpoint.started');
    expect((await verify(delivery, { secret: otherSecret })).type).toBe('endpoint.started');
    expect((await rejection(verify(delivery, { secret: 'whsec_unrelated' }))).code).toBe('signature_mismatch');
  });

  it('signs any envelope, including a type newer than the catalog', async () => {
    const event = { id: 'evt_new', type: 'model.deprecated', created: new Date().toISOString(), data: { model: 'm' } };
    const result = await verify(createSignedDelivery(event, { secret }), { secret });
    expect(result).toEqual(event);
  });

  it('refuses what cannot be a delivery, and misconfigured secrets, with TypeErrors', () => {
    expect(() => createSignedDelivery(42 as unknown as string, { secret })).toThrow(TypeError);
    expect(() => createSignedDelivery('{}', { secret: '' })).toThrow(TypeError);
    expect(() => createSignedDelivery('{}', { secret: ' whsec_padded ' })).toThrow(/whitespace/);
    expect(() => createSignedDelivery('{}', { secret: [] })).toThrow(TypeError);
    expect(() => createSignedDelivery('{}', undefined as unknown as { secret: string })).toThrow(TypeError);
  });
});

describe('toRequest', () => {
  it('builds a POST with the exact body and headers', async () => {
    const delivery = createSignedDelivery(createTestEvent('video.completed'), { secret });
    const request = toRequest(delivery, 'http://127.0.0.1:3000/api/webhooks');
    expect(request.method).toBe('POST');
    expect(request.url).toBe('http://127.0.0.1:3000/api/webhooks');
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(request.headers.get('x-together-signature')).toBe(delivery.headers['x-together-signature']);
    expect(await request.text()).toBe(delivery.body);
  });

  it('can be called again for each retry: the delivery is not consumed', async () => {
    const delivery = createSignedDelivery(createTestEvent('batch.failed'), { secret });
    const first = await verify(toRequest(delivery), { secret });
    const second = await verify(toRequest(delivery), { secret });
    expect(second).toEqual(first);
  });
});

describe('the kit end to end through handle()', () => {
  it('processes, deduplicates and rejects as a real receiver would', async () => {
    const seen: string[] = [];
    const webhooks = createWebhooks({ secret, store: memoryStore() }).on('fine_tune.completed', (event) => {
      seen.push(event.data.status);
    });
    const delivery = createSignedDelivery(createTestEvent('fine_tune.completed'), { secret });

    expect((await webhooks.handle(delivery)).outcome).toBe('processed');
    expect((await webhooks.handle(toRequest(delivery))).outcome).toBe('duplicate');
    expect(seen).toEqual(['completed']);

    const tampered = { ...delivery, body: delivery.body.replace('"completed"', '"cancelled"') };
    expect(await webhooks.handle(tampered)).toMatchObject({ status: 401, body: { error: 'signature_mismatch' } });

    const foreign = createSignedDelivery(createTestEvent('fine_tune.completed'), { secret: otherSecret });
    expect((await webhooks.handle(foreign)).status).toBe(401);
  });
});
