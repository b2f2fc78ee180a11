import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The process harness and scenarios are shared with the Redis store's tests.
import { startCluster, type Cluster } from '../../redis/test/support/cluster.js';
import {
  everyIdOnceAcrossProcesses,
  lapsedLeaseTakenOver,
  oneIdTwoHundredTimes,
  throwingHandlerRetriedOnce,
} from '../../redis/test/support/scenarios.js';
import { createTableSql, postgresStore } from '../src/index.js';
import { clientKinds, clientPool } from './clients.js';
import { createTestSchema, skipWithoutPostgres, type TestSchema } from './postgres-server.js';

const secret = 'whsec_cluster_postgres';

describe.skipIf(skipWithoutPostgres)('PostgreSQL store under concurrency, through real HTTP', () => {
  let schema: TestSchema;
  let table: string;
  beforeAll(async () => {
    schema = await createTestSchema('cluster');
    table = schema.table('events');
    await schema.query(createTableSql(table));
  });
  afterAll(async () => {
    await schema?.drop();
  });

  describe('4 processes (pg Pool, pg Client, postgres.js, pg Pool) over one table', () => {
    let cluster: Cluster;
    beforeAll(async () => {
      cluster = await startCluster({
        entry: fileURLToPath(new URL('./fixtures/postgres-child.ts', import.meta.url)),
        processes: 4,
        secret,
        leaseMs: 10_000,
        env: { DATABASE_URL: schema.url, PG_TABLE: table },
      });
    });
    afterAll(async () => {
      await cluster?.stop();
    });

    it('runs each of 50 event ids exactly once, each sent to every process 6 times, interleaved', async () => {
      const { deliveries, outcomes } = await everyIdOnceAcrossProcesses(cluster, secret, { rounds: 6 });
      expect(deliveries).toBe(4 * 50 * 6);
      console.info('postgres cluster, 1200 deliveries:', outcomes);
    });

    it('runs the handler once for 200 concurrent deliveries of one id', async () => {
      await oneIdTwoHundredTimes(cluster, secret);
    });

    it('retries a handler that throws, and runs it successfully once', async () => {
      await throwingHandlerRetriedOnce(cluster, secret);
    });
  });

  it.each(clientKinds)('a lapsed lease is taken over while the slow holder still runs ($name)', async (kind) => {
    const pool = clientPool(kind, schema.url);
    try {
      await lapsedLeaseTakenOver(async () => postgresStore({ client: (await pool.open()).client, table }), 300);
    } finally {
      await pool.closeAll();
    }
  });
});
