import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStoreConformance, storeConformanceChecks } from '@x/together-webhooks-core/testing';
import { redisStore } from '../src/index.js';
import { clientKinds, clientPool } from './clients.js';
import { redisServerAvailable, startRedis, type RedisServer } from '@x/together-webhooks-test-support/redis-server';

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
      // The kit's default lease of 1 s: margin for a test process starved of CPU by parallel suites.
      const report = await runStoreConformance(async () => redisStore({ client: (await pool.open()).client }), {
        retentionMs: 1_000,
      });
      // It rejects when a check fails; what it resolves to must show that every check ran, and passed.
      expect(report.checks.map((check) => check.name)).toEqual([...storeConformanceChecks]);
      expect(report.checks.filter((check) => !check.passed)).toEqual([]);
      for (const check of report.checks) expect(Number.isFinite(check.durationMs) && check.durationMs >= 0, check.name).toBe(true);
    } finally {
      await pool.closeAll();
    }
  });
});
