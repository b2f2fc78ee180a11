import { describe, expectTypeOf, it } from 'vitest';
import {
  sign,
  standardWebhooksScheme,
  togetherScheme,
  verify,
  verifySync,
  type BatchJob,
  type DedicatedEndpoint,
  type EvaluationJob,
  type FineTuneJob,
  type HeadersLike,
  isTogetherEventType,
  type KnownTogetherEvent,
  type UnknownTogetherEvent,
  type SignatureHeaders,
  type TogetherEvent,
  type TogetherEventType,
  type VideoJob,
  type WebhookInput,
} from '@x/together-webhooks-core';

// Type tests: vitest's typecheck (project core-node) and `pnpm typecheck` check them with tsc.
type DataOf<T extends TogetherEventType> = Extract<TogetherEvent, { type: T }>['data'];

describe('types', () => {
  it('narrow data on event.type, for every resource', () => {
    expectTypeOf<DataOf<'fine_tune.completed'>>().toEqualTypeOf<FineTuneJob>();
    expectTypeOf<DataOf<'fine_tune.failed'>>().toEqualTypeOf<FineTuneJob>();
    expectTypeOf<DataOf<'batch.completed'>>().toEqualTypeOf<BatchJob>();
    expectTypeOf<DataOf<'batch.expired'>>().toEqualTypeOf<BatchJob>();
    expectTypeOf<DataOf<'endpoint.started'>>().toEqualTypeOf<DedicatedEndpoint>();
    expectTypeOf<DataOf<'evaluation.failed'>>().toEqualTypeOf<EvaluationJob>();
    expectTypeOf<DataOf<'video.completed'>>().toEqualTypeOf<VideoJob>();
    expectTypeOf<DataOf<'resource.deleted'>>().toEqualTypeOf<Record<string, unknown>>();

    const narrow = (event: TogetherEvent) => {
      if (event.type === 'fine_tune.completed') expectTypeOf(event.data).toEqualTypeOf<FineTuneJob>();
      if (event.type === 'batch.failed') expectTypeOf(event.data.status).toEqualTypeOf<BatchJob['status']>();
      if (event.type === 'endpoint.stopped') expectTypeOf(event.data.state).toEqualTypeOf<DedicatedEndpoint['state']>();
      if (event.type === 'video.failed') expectTypeOf(event.data.error).toEqualTypeOf<VideoJob['error']>();
      switch (event.type) {
        case 'evaluation.completed':
          expectTypeOf(event.data).toEqualTypeOf<EvaluationJob>();
          break;
        default:
          expectTypeOf(event.id).toBeString();
      }
    };
    expectTypeOf(narrow).parameter(0).toEqualTypeOf<TogetherEvent>();
  });

  it('give an event whose type is not in the catalog a real type, not never (spec section 12)', () => {
    const branch = (event: TogetherEvent) => {
      if (!isTogetherEventType(event.type)) {
        // What the README recommends: read the type and the data of a type newer than the SDK.
        expectTypeOf(event.type).toExtend<string>();
        expectTypeOf(event.type).not.toBeNever();
        expectTypeOf(event.data).toExtend<object>();
        const name: string = event.type;
        return name;
      }
      return event.id;
    };
    expectTypeOf(branch).returns.toEqualTypeOf<string>();
    const fallback = (event: TogetherEvent) => {
      switch (event.type) {
        case 'batch.completed':
          expectTypeOf(event.data).toEqualTypeOf<BatchJob>();
          return 'batch';
        default:
          // The default branch of a switch is reachable, with a readable type.
          expectTypeOf(event.type).toExtend<string>();
          expectTypeOf(event.type).not.toBeNever();
          return event.type;
      }
    };
    expectTypeOf(fallback).returns.toExtend<string>();
    // The union is the catalog's events plus the unknown event; the catalog's narrowing is intact.
    expectTypeOf<TogetherEvent>().toEqualTypeOf<KnownTogetherEvent | UnknownTogetherEvent>();
    expectTypeOf<Extract<TogetherEvent, { type: 'fine_tune.completed' }>['data']>().toEqualTypeOf<FineTuneJob>();
    expectTypeOf<UnknownTogetherEvent['data']>().toEqualTypeOf<Record<string, unknown>>();
    // A catalog type is never taken for the unknown one.
    expectTypeOf<'batch.completed'>().not.toExtend<UnknownTogetherEvent['type']>();
  });

  it('give sign() the two header names', () => {
    expectTypeOf(sign('{}', { secret: 's' })).toEqualTypeOf<SignatureHeaders>();
    expectTypeOf(sign('{}', { secret: 's', scheme: togetherScheme() })).toEqualTypeOf<SignatureHeaders>();
    expectTypeOf(sign('{}', { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', scheme: standardWebhooksScheme(), id: 'msg_1' })).toEqualTypeOf<
      Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>
    >();
    expectTypeOf<SignatureHeaders>().toEqualTypeOf<Record<'x-together-signature' | 'x-together-timestamp', string>>();
    expectTypeOf(sign).parameter(0).toEqualTypeOf<string | Uint8Array>();
  });

  it('accept a Request or { body, headers } as WebhookInput', () => {
    expectTypeOf<Request>().toExtend<WebhookInput>();
    expectTypeOf<{ body: string; headers: Headers }>().toExtend<WebhookInput>();
    expectTypeOf<{ body: Uint8Array; headers: Record<string, string | string[] | undefined> }>().toExtend<WebhookInput>();
    expectTypeOf<{ body: ArrayBuffer; headers: [string, string][] }>().toExtend<WebhookInput>();
    expectTypeOf<{ body: object; headers: Headers }>().not.toExtend<WebhookInput>();
    expectTypeOf<Map<string, string>>().toExtend<HeadersLike>();
    expectTypeOf(verify).parameter(0).toEqualTypeOf<WebhookInput>();
    expectTypeOf(verify).returns.resolves.toEqualTypeOf<TogetherEvent>();
    expectTypeOf(verifySync).returns.toEqualTypeOf<TogetherEvent>();
    expectTypeOf<Request>().not.toExtend<Parameters<typeof verifySync>[0]>();
  });

  it('accept one secret or a readonly list', () => {
    expectTypeOf<{ secret: readonly ['a', 'b'] }>().toExtend<Parameters<typeof verify>[1]>();
    expectTypeOf<{ secret: string }>().toExtend<Parameters<typeof verify>[1]>();
    expectTypeOf<{ secret: Uint8Array }>().not.toExtend<Parameters<typeof verify>[1]>();
  });
});
