/**
 * `createEventRouter` (spec section 12): trusted events to typed handlers once per event id, with
 * no secret; and `onResult`, called once for every answer of a router or a receiver.
 */
import { describe, expect, it } from 'vitest';
import {
  createEventRouter,
  createWebhooks,
  memoryStore,
  sign,
  type ResultContext,
  type TogetherEvent,
  type WebhookResult,
} from '@x/together-webhooks-core';
import { createSignedDelivery, createTestEvent } from '@x/together-webhooks-core/testing';

const secret = 'whsec_router_test';

function recorder() {
  const results: { result: WebhookResult; context: ResultContext }[] = [];
  return { results, onResult: (result: WebhookResult, context: ResultContext) => void results.push({ result, context }) };
}

describe('createEventRouter', () => {
  it('needs no secret, and runs each event id’s handlers once', async () => {
    const router = createEventRouter({ store: memoryStore() });
    const seen: string[] = [];
    router.on('fine_tune.completed', (event) => void seen.push(event.data.model_output_name ?? '')).onAny((event) => void seen.push(`any:${event.type}`));
    const event = createTestEvent('fine_tune.completed', { data: { model_output_name: 'me/model' } });
    expect((await router.dispatch(event)).outcome).toBe('processed');
    expect((await router.dispatch(event)).outcome).toBe('duplicate');
    expect(seen).toEqual(['me/model', 'any:fine_tune.completed']);
  });

  it('answers like a receiver: unhandled, failed with the claim released, store_unavailable', async () => {
    const router = createEventRouter({ store: memoryStore(), onError: () => undefined });
    expect((await router.dispatch(createTestEvent('batch.completed'))).outcome).toBe('unhandled');
    let attempts = 0;
    router.on('batch.failed', () => {
      if (++attempts === 1) throw new Error('first attempt fails');
    });
    const failing = createTestEvent('batch.failed');
    expect(await router.dispatch(failing)).toMatchObject({ outcome: 'failed', status: 500 });
    expect((await router.dispatch(failing)).outcome).toBe('processed');
    const down = createEventRouter({
      store: { claim: () => Promise.reject(new Error('down')), renew: () => Promise.resolve(false), complete: () => Promise.resolve(false), release: () => Promise.resolve(false) },
      onError: () => undefined,
    }).onAny(() => undefined);
    expect(await down.dispatch(createTestEvent('batch.failed'))).toMatchObject({ outcome: 'store_unavailable', status: 503 });
  });

  it('refuses a malformed event with a TypeError, and bad options at construction', async () => {
    const router = createEventRouter();
    await expect(router.dispatch({ id: '', type: 'x', data: {} } as unknown as TogetherEvent)).rejects.toThrow(TypeError);
    expect(() => createEventRouter({ leaseMs: 1 })).toThrow(RangeError);
    expect(() => createEventRouter({ onResult: 'yes' as never })).toThrow(/onResult must be a function/);
    expect(() => createEventRouter(null as never)).toThrow(TypeError);
  });

  // A queue worker shutting down past its bound aborts its running handlers through dispatch().
  it.each([
    ['with a store (beside the lease)', () => createEventRouter({ store: memoryStore() })],
    ['without a store', () => createEventRouter()],
  ])('dispatch(event, { signal }) aborts the handlers\' ctx.signal, %s', async (_name, makeRouter) => {
    const router = makeRouter();
    const shutdown = new AbortController();
    let reason: unknown;
    let abortedAtStart: boolean | undefined;
    router.on('batch.completed', (_event, ctx) => {
      const { signal } = ctx;
      abortedAtStart = signal.aborted;
      return new Promise<void>((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          reason = signal.reason;
          reject(new Error('stopped: the worker is closing'));
        });
        setTimeout(() => shutdown.abort(new Error('closing')), 10);
      });
    });
    const result = await router.dispatch(createTestEvent('batch.completed'), { signal: shutdown.signal });
    expect(abortedAtStart).toBe(false);
    expect(result.outcome).toBe('failed');
    expect(reason).toEqual(new Error('closing'));
  });

  it('a dispatch signal that never aborts changes nothing, and the lease still owns ctx.signal', async () => {
    const router = createEventRouter({ store: memoryStore() });
    let aborted: boolean | undefined;
    router.on('batch.completed', (_event, ctx) => void (aborted = ctx.signal.aborted));
    const event = createTestEvent('batch.completed');
    expect((await router.dispatch(event, { signal: new AbortController().signal })).outcome).toBe('processed');
    expect((await router.dispatch(event, { signal: new AbortController().signal })).outcome).toBe('duplicate');
    expect(aborted).toBe(false);
  });

  it('types handlers by event type, as createWebhooks does', () => {
    createEventRouter().on(['batch.completed', 'batch.failed'], (event) => {
      // Both are batch events: the union narrows to BatchJob.
      const status: string | undefined = event.data.status;
      return status;
    });
  });
});

describe('onResult', () => {
  it('is told once of every dispatch, with how long it took', async () => {
    const { results, onResult } = recorder();
    const router = createEventRouter({ store: memoryStore(), onResult });
    router.on('batch.completed', () => new Promise((resolve) => setTimeout(resolve, 20)));
    const event = createTestEvent('batch.completed');
    await router.dispatch(event);
    await router.dispatch(event);
    expect(results.map(({ result }) => result.outcome)).toEqual(['processed', 'duplicate']);
    expect(results[0]!.context.durationMs).toBeGreaterThanOrEqual(15);
    expect(results[1]!.context.durationMs).toBeLessThan(results[0]!.context.durationMs);
  });

  it('is told once of every handle() answer, rejections and configuration failures included', async () => {
    const { results, onResult } = recorder();
    const webhooks = createWebhooks({ secret, store: memoryStore(), onResult, onError: () => undefined });
    webhooks.on('batch.completed', () => undefined);
    const delivery = createSignedDelivery(createTestEvent('batch.completed'), { secret });
    await webhooks.handle(delivery);
    await webhooks.handle({ body: `${delivery.body} `, headers: delivery.headers });
    await webhooks.handle({ body: JSON.parse(delivery.body) as string, headers: delivery.headers });
    await webhooks.dispatch(JSON.parse(delivery.body) as TogetherEvent);
    expect(results.map(({ result }) => [result.outcome, result.status])).toEqual([
      ['processed', 200],
      ['rejected', 401],
      ['failed', 500],
      ['duplicate', 200],
    ]);
    for (const { context } of results) expect(context.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('cannot change an answer by throwing', async () => {
    const webhooks = createWebhooks({
      secret,
      onResult: () => {
        throw new Error('metrics down');
      },
    }).onAny(() => undefined);
    const body = JSON.stringify(createTestEvent('batch.completed'));
    expect((await webhooks.handle({ body, headers: sign(body, { secret }) })).outcome).toBe('processed');
  });
});
