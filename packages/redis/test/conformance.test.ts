import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStoreConformance } from '@x/together-webhooks-core/testing';
import { redisStore } from '../src/index.js';
import { clientKinds, clientPool } from './clients.js';
import { redisServerAvailable, startRedis, type RedisServer } from './redis-server.js';

describe.skipIf(!redisServerAvailable)('redisStore keeps the idempotency contract', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server.stop();
  });

  // Every makeStore() call opens a new connection: the race check claims over 50 of them at once.
  it.each(clientKinds)('with $name', async (kind) => {
    const pool = clientPool(kind, server.url);
    try {
      // Leases of 1 s rather than 300 ms: margin for a test process starved of CPU by parallel suites.
      const report = await runStoreConformance(async () => redisStore({ client: (await pool.open()).client }), {
        leaseMs: 1_000,
        retentionMs: 1_000,
      });
      expect(report.passed).toBe(true);
    } finally {
      await pool.closeAll();
    }
  });
});
