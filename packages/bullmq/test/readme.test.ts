/**
 * The README's receiver and worker run as written against a real redis-server: a delivery is
 * answered 202 queued by the receiver, and the worker's handler runs it.
 */
import { fileURLToPath } from 'node:url';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Webhooks } from '@x/together-webhooks-core';
import { createSignedDelivery, createTestEvent } from '@x/together-webhooks-core/testing';
import { writeReadmeSource } from '@x/together-webhooks-test-support';
import { redisServerAvailable, startRedis, type RedisServer } from '@x/together-webhooks-test-support/redis-server';
import type { BullmqEventWorker } from '@x/together-webhooks-bullmq';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const secret = 'whsec_readme_bullmq';

describe.skipIf(!redisServerAvailable)('the README examples run as written', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
    vi.stubEnv('REDIS_URL', server.url);
    vi.stubEnv('TOGETHER_WEBHOOK_SECRET', secret);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    await server?.stop();
  });

  it('the receiver answers 202 queued; the worker runs the handler once', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const receiver = (await import(/* @vite-ignore */ writeReadmeSource(packageDir, 'example:receiver'))) as { webhooks: Webhooks; queue: Queue };
    const event = createTestEvent('batch.completed');
    const result = await receiver.webhooks.handle(createSignedDelivery(event, { secret }));
    expect(result).toMatchObject({ status: 202, outcome: 'queued' });
    const worker = (await import(/* @vite-ignore */ writeReadmeSource(packageDir, 'example:worker'))) as { worker: BullmqEventWorker; storeClient: Redis };
    try {
      await vi.waitFor(() => expect(log).toHaveBeenCalledWith(`batch ${String(event.data.id)} completed: fetching its output`), { timeout: 20_000 });
      await vi.waitFor(async () => expect(await receiver.queue.getJobCounts('completed')).toEqual({ completed: 1 }), { timeout: 20_000 });
      expect(log).toHaveBeenCalledTimes(1);
    } finally {
      await worker.worker.close();
      await worker.storeClient.quit();
      await receiver.queue.close();
    }
  });
});
