// Type tests: vitest's typecheck (project core-node) and `pnpm typecheck` check every line here
// with tsc, the @ts-expect-error lines included (an unused one is an error); nothing here runs.
import { describe, expectTypeOf, it } from 'vitest';
import type {
  BatchJob,
  DedicatedEndpoint,
  FineTuneJob,
  TogetherEventDataMap,
  TogetherEventOf,
  VideoJob,
  WebhookInput,
} from '@x/together-webhooks-core';
import {
  createSignedDelivery,
  createTestEvent,
  storeConformanceChecks,
  toRequest,
  type SignedDelivery,
  type StoreConformanceCheckName,
  type TestEventOverrides,
} from '@x/together-webhooks-core/testing';

const secret = 'whsec_types';

describe('test kit types', () => {
  it('an event is typed by the type it was created for', () => {
    expectTypeOf(createTestEvent('fine_tune.completed')).toEqualTypeOf<TogetherEventOf<'fine_tune.completed'>>();
    expectTypeOf(createTestEvent('fine_tune.completed').data).toEqualTypeOf<FineTuneJob>();
    expectTypeOf(createTestEvent('batch.failed').data).toEqualTypeOf<BatchJob>();
    expectTypeOf(createTestEvent('endpoint.stopped').data).toEqualTypeOf<DedicatedEndpoint>();
    expectTypeOf(createTestEvent('video.failed').data.created_at).toEqualTypeOf<number>();
  });

  it('a union of types gives a union of events that narrows on type', () => {
    const type = 'batch.completed' as 'batch.completed' | 'video.completed';
    const event = createTestEvent(type);
    expectTypeOf(event).toEqualTypeOf<TogetherEventOf<'batch.completed'> | TogetherEventOf<'video.completed'>>();
    if (event.type === 'video.completed') expectTypeOf(event.data).toEqualTypeOf<VideoJob>();
  });

  it('overrides are checked against the resource of that type', () => {
    expectTypeOf<TestEventOverrides<'batch.failed'>['data']>().toEqualTypeOf<Partial<BatchJob> | undefined>();
    expectTypeOf<TestEventOverrides<'resource.updated'>['data']>().toEqualTypeOf<
      Partial<TogetherEventDataMap['resource.updated']> | undefined
    >();

    createTestEvent('fine_tune.completed', { data: { model_output_name: 'acme/bot', n_epochs: 2 } });
    createTestEvent('resource.updated', { data: { anything: ['goes'] } });
    createTestEvent('endpoint.started', { data: { autoscaling: { min_replicas: 2, max_replicas: 4 } } });

    // @ts-expect-error fine-tuning statuses are lowercase
    createTestEvent('fine_tune.completed', { data: { status: 'COMPLETED' } });
    // @ts-expect-error batch statuses are uppercase
    createTestEvent('batch.failed', { data: { status: 'failed' } });
    // @ts-expect-error a video's created_at is Unix seconds, a number
    createTestEvent('video.completed', { data: { created_at: '2025-01-15T10:30:00Z' } });
    // @ts-expect-error not a field of a dedicated endpoint
    createTestEvent('endpoint.started', { data: { progress: 100 } });
    // @ts-expect-error nested objects replace the generated one whole, so they are complete
    createTestEvent('endpoint.started', { data: { autoscaling: { min_replicas: 2 } } });
    // @ts-expect-error the id is a string
    createTestEvent('batch.created', { id: 42 });
    // @ts-expect-error the type is not overridable: pass it as the first argument
    createTestEvent('batch.created', { type: 'batch.failed' });
    // @ts-expect-error not a catalog type
    createTestEvent('fine_tune.paused');
  });

  it('a delivery keeps the body type it was given and fits verify and handle', () => {
    expectTypeOf(createSignedDelivery(createTestEvent('batch.completed'), { secret })).toEqualTypeOf<SignedDelivery<string>>();
    expectTypeOf(createSignedDelivery('{}', { secret }).body).toEqualTypeOf<string>();
    expectTypeOf(createSignedDelivery(new Uint8Array(0), { secret }).body).toEqualTypeOf<Uint8Array>();
    expectTypeOf(createSignedDelivery('{}', { secret })).toExtend<WebhookInput>();
    expectTypeOf(createSignedDelivery(new Uint8Array(0), { secret })).toExtend<WebhookInput>();
    expectTypeOf(toRequest).returns.toEqualTypeOf<Request>();

    // @ts-expect-error the options need a secret
    createSignedDelivery('{}', {});
    // @ts-expect-error a timestamp is Unix seconds, a number
    createSignedDelivery('{}', { secret, timestamp: '1736937000' });
    // @ts-expect-error a parsed non-event object is not a body
    createSignedDelivery({ hello: 'world' }, { secret });
  });

  it('the conformance check names are a read-only list of literal names', () => {
    expectTypeOf(storeConformanceChecks).toExtend<readonly StoreConformanceCheckName[]>();
    expectTypeOf<'long keys work, and long keys sharing a prefix stay distinct'>().toExtend<StoreConformanceCheckName>();
    expectTypeOf<'some other check'>().not.toExtend<StoreConformanceCheckName>();
    // @ts-expect-error the list is read-only
    storeConformanceChecks[0] = 'renew extends a lease';
  });
});
