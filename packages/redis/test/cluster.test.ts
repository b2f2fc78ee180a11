import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStore } from '../src/index.js';
import { clientKinds, clientPool } from './clients.js';
import { redisServerAvailable, startRedis, type RedisServer } from '@x/together-webhooks-test-support/redis-server';
import { startCluster, type Cluster } from './support/cluster.js';
import { everyIdOnceAcrossProcesses, lapsedLeaseTakenOver, oneIdTwoHundredTimes, throwingHandlerRetriedOnce } from './support/scenarios.js';

const secret = 'whsec_cluster_redis';

describe.skipIf(!redisServerAvailable)('Redis store under concurrency, through real HTTP', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server.stop();
  });

  describe('4 processes (ioredis 6, ioredis 5, node-redis 5, node-redis 4) over one Redis', () => {
    let cluster: Cluster;
    beforeAll(async () => {
      cluster = await startCluster({
        entry: fileURLToPath(new URL('./fixtures/redis-child.ts', import.meta.url)),
        processes: 4,
        secret,
        leaseMs: 10_000,
        env: { REDIS_URL: server.url },
      });
    });
    afterAll(async () => {
      await cluster.stop();
    });

    it('runs each of 50 event ids exactly once, each sent to every process 3 times, interleaved', async () => {
      const { deliveries, outcomes } = await everyIdOnceAcrossProcesses(cluster, secret);
      expect(deliveries).toBe(600);
      console.info('redis cluster, 600 deliveries:', outcomes);
    });

    it('runs the handler once for 200 concurrent deliveries of one id', async () => {
      await oneIdTwoHundredTimes(cluster, secret);
    });

    it('retries a handler that throws, and runs it successfully once', async () => {
      await throwingHandlerRetriedOnce(cluster, secret);
    });
  });

  it.each(clientKinds)('a lapsed lease is taken over while the slow holder still runs ($name)', async (kind) => {
    const pool = clientPool(kind, server.url);
    try {
      await lapsedLeaseTakenOver(async () => redisStore({ client: (await pool.open()).client }), 300);
    } finally {
      await pool.closeAll();
    }
  });
});
