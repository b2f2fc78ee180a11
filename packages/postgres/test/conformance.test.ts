import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStoreConformance, storeConformanceChecks } from '@x/together-webhooks-core/testing';
import { createTableSql, postgresStore } from '../src/index.js';
import { clientKinds, clientPool } from './clients.js';
import { createTestSchema, skipWithoutPostgres, type TestSchema } from './postgres-server.js';

describe.skipIf(skipWithoutPostgres)('postgresStore keeps the idempotency contract', () => {
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await createTestSchema('conformance');
  });
  afterAll(async () => {
    await schema?.drop();
  });

  // Every makeStore() call opens a new client (a pool of one connection, a Client, an sql of one
  // connection): the race check claims over 50 connections at once. One table per client library.
  it.each(clientKinds)('with a $name', async (kind) => {
    const table = schema.table(`events_${kind.name.replace(/\W/g, '_').toLowerCase()}`);
    await schema.query(createTableSql(table));
    const pool = clientPool(kind, schema.url, { max: 1 });
    try {
      // The kit's default lease of 1 s: margin for a test process starved of CPU by parallel suites.
      const report = await runStoreConformance(async () => postgresStore({ client: (await pool.open()).client, table }), {
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
