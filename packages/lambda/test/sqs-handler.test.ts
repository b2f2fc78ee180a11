/**
 * `createSqsHandler` over real-shaped SQS events (the AWS sample in fixtures/sqs-base.json, bodies
 * replaced) and a real Redis store: which messages come back in `batchItemFailures`, in standard
 * and FIFO batches, and what is reported.
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventRouter, type EventRouter, type IdempotencyStore, type WebhookErrorContext } from '@x/together-webhooks-core';
import { createTestEvent } from '@x/together-webhooks-core/testing';
import { redisStore } from '@x/together-webhooks-redis';
import { unreachableStore } from '@x/together-webhooks-test-support';
import { redisServerAvailable, startRedis, type RedisServer } from '@x/together-webhooks-test-support/redis-server';
import { createSqsHandler, type SqsEvent, type SqsRecord } from '../src/index.js';

const sample = JSON.parse(readFileSync(new URL('./fixtures/sqs-base.json', import.meta.url), 'utf8')) as SqsEvent;
const [standardTemplate] = sample.Records as [SqsRecord, SqsRecord];
let sequence = 0;

/** An SQS record as AWS sends it, with `body` and a fresh message id; `fifo` puts it on a FIFO queue. */
function record(body: string, options: { fifo?: boolean; receiveCount?: number } = {}): SqsRecord {
  sequence += 1;
  const copy = structuredClone(standardTemplate) as SqsRecord & { attributes: Record<string, string> };
  copy.messageId = `059f36b4-87a3-44ab-83d2-${String(sequence).padStart(12, '0')}`;
  copy.body = body;
  copy.attributes.ApproximateReceiveCount = String(options.receiveCount ?? 1);
  if (options.fifo) {
    copy.eventSourceARN = 'arn:aws:sqs:us-east-2:123456789012:together-events.fifo';
    copy.attributes.MessageGroupId = 'ft-6a1b2c3d';
    copy.attributes.MessageDeduplicationId = `dedup-${sequence}`;
  }
  return copy;
}
const batch = (...records: SqsRecord[]): SqsEvent => ({ Records: records });
const failures = (...records: SqsRecord[]) => ({ batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) });

describe('createSqsHandler', () => {
  it('refuses what is not a router, and an event that is not from SQS', async () => {
    expect(() => createSqsHandler({} as EventRouter)).toThrow(/event router/);
    const errors: WebhookErrorContext[] = [];
    const handler = createSqsHandler(createEventRouter({ onError: (_error, context) => errors.push(context) }));
    await expect(handler({ body: '{}' } as unknown as SqsEvent)).rejects.toThrow(/no Records: invoke this handler only through an SQS event source mapping/);
    expect(errors).toEqual([{ phase: 'adapter', outcome: 'failed' }]);
  });
});

describe.skipIf(!redisServerAvailable)('createSqsHandler over a Redis store', () => {
  let server: RedisServer;
  let client: Redis;
  let store: IdempotencyStore;
  beforeAll(async () => {
    server = await startRedis();
    client = new Redis(server.url, { maxRetriesPerRequest: 1 });
    store = redisStore({ client });
  });
  afterAll(async () => {
    await client?.quit();
    await server?.stop();
  });

  /** A router over `store` whose handler counts runs and throws for events whose data says `fail`. */
  function setup(routerStore: IdempotencyStore = store) {
    const runs = new Map<string, number>();
    const errors: { error: unknown; context: WebhookErrorContext }[] = [];
    const router = createEventRouter({ store: routerStore, leaseMs: 3000, onError: (error, context) => errors.push({ error, context }) });
    router.on(['batch.completed', 'fine_tune.completed'], (event) => {
      runs.set(event.id, (runs.get(event.id) ?? 0) + 1);
      if ((event.data as { fail?: boolean }).fail) throw new Error('handler fails on purpose');
    });
    return { handler: createSqsHandler(router), runs, errors };
  }
  const body = (type: 'batch.completed' | 'fine_tune.completed' | 'model_upload.completed', data: Record<string, unknown> = {}) => {
    const event = createTestEvent(type);
    return { event, body: JSON.stringify({ ...event, data: { ...event.data, ...data } }) };
  };

  it('a standard batch: processed, duplicate and unhandled succeed; failed, in_progress and bodies without an event are retried', async () => {
    const { handler, runs, errors } = setup();
    const ok = body('batch.completed');
    const done = body('fine_tune.completed');
    await handler(batch(record(done.body)));
    const held = body('batch.completed');
    await store.claim(`together:event:${held.event.id}`, 60_000);

    const records = {
      processed: record(ok.body),
      duplicate: record(done.body, { receiveCount: 2 }),
      unhandled: record(body('model_upload.completed').body),
      failed: record(body('batch.completed', { fail: true }).body),
      inProgress: record(held.body),
      // The AWS sample's own bodies: plain text, and JSON that is no event.
      notJson: record(sample.Records[0]!.body),
      notAnEvent: record(sample.Records[1]!.body),
    };
    const answer = await handler(batch(...Object.values(records)));
    expect(answer).toEqual(failures(records.failed, records.inProgress, records.notJson, records.notAnEvent));
    expect(runs.get(ok.event.id)).toBe(1);
    expect(runs.get(done.event.id)).toBe(1);
    expect(runs.has(held.event.id)).toBe(false);
    const adapterErrors = errors.filter(({ context }) => context.phase === 'adapter').map(({ error }) => (error as Error).message);
    expect(adapterErrors).toEqual([
      expect.stringMatching(new RegExp(`message ${records.notJson.messageId} from arn:aws:sqs:us-east-2:123456789012:my-queue holds no event \\(its body is not JSON\\); reported as failed \\(receive 1\\) so the queue's redrive policy moves it to the dead-letter queue`)),
      expect.stringMatching(new RegExp(`message ${records.notAnEvent.messageId} .* holds no event \\(its body has no string "id"\\)`)),
    ]);
  });

  it('a failed message succeeds when SQS delivers it again and the handler then works', async () => {
    const { handler, runs } = setup();
    const flaky = body('batch.completed', { fail: true });
    const first = record(flaky.body);
    expect(await handler(batch(first))).toEqual(failures(first));
    const fixed = record(JSON.stringify({ ...JSON.parse(flaky.body), data: { ...flaky.event.data, fail: false } }), { receiveCount: 2 });
    expect(await handler(batch(fixed))).toEqual(failures());
    expect(runs.get(flaky.event.id)).toBe(2);
    // And a third delivery (SQS is at least once) is a duplicate: not run again.
    expect(await handler(batch(record(flaky.body, { receiveCount: 3 })))).toEqual(failures());
    expect(runs.get(flaky.event.id)).toBe(2);
  });

  it('retries every message while the store is down (store_unavailable)', async () => {
    const { handler, runs } = setup(unreachableStore());
    const records = [record(body('batch.completed').body), record(body('fine_tune.completed').body)];
    expect(await handler(batch(...records))).toEqual(failures(...records));
    expect(runs.size).toBe(0);
  });

  it('continues the trace context a message carries as String attributes (what sqsQueue sends)', async () => {
    const seen = new Map<string, unknown>();
    const router = createEventRouter({
      store,
      telemetry: {
        startDelivery({ event, traceContext }) {
          if (event) seen.set(event.id, traceContext);
          return { verified: () => undefined, run: (handlers) => handlers(), call: (_operation, call) => call(), inject: () => undefined, end: () => undefined };
        },
      },
    }).onAny(() => undefined);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const traced = body('batch.completed');
    const withTrace = record(traced.body);
    // Beside the sample's own Number attribute, which is not trace context.
    withTrace.messageAttributes = { ...withTrace.messageAttributes, traceparent: { stringValue: traceparent, dataType: 'String' } };
    const untraced = body('batch.completed');
    expect(await createSqsHandler(router)(batch(withTrace, record(untraced.body)))).toEqual({ batchItemFailures: [] });
    expect(seen.get(traced.event.id)).toEqual({ traceparent });
    expect(seen.get(untraced.event.id)).toBeUndefined();
  });

  it('a FIFO batch runs in order and stops at the first failure, reporting it and the rest', async () => {
    const { handler, runs } = setup();
    const before = body('batch.completed');
    const failing = body('batch.completed', { fail: true });
    const after = body('fine_tune.completed');
    const records = [record(before.body, { fifo: true }), record(failing.body, { fifo: true }), record(after.body, { fifo: true })];
    expect(await handler(batch(...records))).toEqual(failures(records[1]!, records[2]!));
    expect(runs.get(before.event.id)).toBe(1);
    expect(runs.has(after.event.id)).toBe(false);
  });
});
