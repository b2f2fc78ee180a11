/**
 * `bullmqQueue` + `createBullmqWorker` pass the queue conformance kit against a real redis-server.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueConformanceChecks, runQueueConformance } from '@x/together-webhooks-core/testing';
import { redisServerAvailable, startRedis, type RedisServer } from '@x/together-webhooks-test-support/redis-server';
import { bullmqQueue, createBullmqWorker } from '@x/together-webhooks-bullmq';

describe.skipIf(!redisServerAvailable)('BullMQ queue mode against the conformance kit', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('passes every check', async () => {
    const connection = { host: '127.0.0.1', port: redis.port };
    const queueName = `conformance-${randomUUID()}`;
    const queues: Queue[] = [];
    const report = await runQueueConformance({
      makeQueue: () => {
        const queue = new Queue(queueName, { connection });
        queues.push(queue);
        return bullmqQueue({ queue });
      },
      startWorker: async (router) => {
        // Short waits for the kit: its checks wait 20 s at most each.
        const worker = createBullmqWorker(router, { queueName, connection, concurrency: 4, attempts: 20, backoff: { type: 'fixed', delay: 100 } });
        await worker.waitUntilReady();
        return worker;
      },
      dispose: () => Promise.all(queues.map((queue) => queue.close())),
    });
    expect(report.checks.map((check) => check.name)).toEqual([...queueConformanceChecks]);
    for (const check of report.checks) expect(check).toMatchObject({ passed: true });
  });
});
