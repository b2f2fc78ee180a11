import { runWatchStateConformance, watchStateConformanceChecks } from '@x/together-webhooks-watch/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisWatchState } from '../src/index.js';
import { clientKinds, clientPool } from './clients.js';
import { redisCli, redisServerAvailable, startRedis, type RedisServer } from '@x/together-webhooks-test-support/redis-server';

describe.skipIf(!redisServerAvailable)('redisWatchState keeps the WatchState contract', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server.stop();
  });

  // Every makeState() call opens a new connection, as a new cron invocation would.
  it.each(clientKinds)('with $name', async (kind) => {
    const pool = clientPool(kind, server.url);
    try {
      const report = await runWatchStateConformance(async (key) => redisWatchState({ client: (await pool.open()).client, key }));
      expect(report.checks.map((check) => [check.name, check.passed])).toEqual(watchStateConformanceChecks.map((name) => [name, true]));
    } finally {
      await pool.closeAll();
    }
  });

  it('a hash that is not a watch state is an error naming the key', async () => {
    redisCli(server, 'HSET', 'watch:broken', 'version', '1', 'snapshot', '{"jobs":1}');
    const pool = clientPool(clientKinds[0]!, server.url);
    try {
      const state = redisWatchState({ client: (await pool.open()).client, key: 'watch:broken' });
      await expect(state.read()).rejects.toThrow('Redis key "watch:broken" does not hold a watch state (expected { jobs, pending })');
    } finally {
      await pool.closeAll();
    }
  });

  it.each([
    ['no client', { client: undefined }, /client must be an ioredis client/],
    ['an empty key', { key: '' }, /key must be a non-empty string/],
  ])('%s is a TypeError', async (_case, options, message) => {
    const pool = clientPool(clientKinds[0]!, server.url);
    try {
      const client = (await pool.open()).client;
      expect(() => redisWatchState({ client, ...(options as object) })).toThrow(message);
    } finally {
      await pool.closeAll();
    }
  });
});
