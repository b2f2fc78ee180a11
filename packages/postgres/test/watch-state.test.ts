import { runWatchStateConformance, watchStateConformanceChecks } from '@x/together-webhooks-watch/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWatchStateTableSql, postgresWatchState } from '../src/index.js';
import { clientKinds, clientPool } from './clients.js';
import { createTestSchema, skipWithoutPostgres, type TestSchema } from './postgres-server.js';

describe.skipIf(skipWithoutPostgres)('postgresWatchState keeps the WatchState contract', () => {
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await createTestSchema('watch_state');
  });
  afterAll(async () => {
    await schema?.drop();
  });

  // Each location the kit asks for is a row of its own; every makeState() call opens a new client,
  // as a new cron invocation would.
  it.each(clientKinds)('with a $name', async (kind) => {
    const table = schema.table(`watch_${kind.name.replace(/\W/g, '_').toLowerCase()}`);
    await schema.query(createWatchStateTableSql(table));
    const pool = clientPool(kind, schema.url, { max: 1 });
    try {
      const report = await runWatchStateConformance(async (key) => postgresWatchState({ client: (await pool.open()).client, table, key }));
      expect(report.checks.map((check) => [check.name, check.passed])).toEqual(watchStateConformanceChecks.map((name) => [name, true]));
    } finally {
      await pool.closeAll();
    }
  });

  it('a row that is not a watch state is an error naming the table and key', async () => {
    const table = schema.table('watch_corrupt');
    await schema.query(createWatchStateTableSql(table));
    await schema.query(`INSERT INTO ${table} (key, version, snapshot) VALUES ('broken', '1', 'not json')`);
    const pool = clientPool(clientKinds[0]!, schema.url, { max: 1 });
    try {
      const state = postgresWatchState({ client: (await pool.open()).client, table, key: 'broken' });
      await expect(state.read()).rejects.toThrow(`${table} row "broken" does not hold a watch state (not JSON)`);
    } finally {
      await pool.closeAll();
    }
  });

  it.each([
    ['no client', { client: undefined }, /client must be a pg/],
    ['a bad table name', { table: 'drop table;' }, /table must be/],
    ['an empty key', { key: '' }, /key must be a non-empty string/],
    // PostgreSQL text cannot hold it: without the check, the first read of a poll would fail.
    ['a key holding U+0000', { key: 'account\u0000a' }, /key must be a non-empty string without U\+0000/],
  ])('%s is a TypeError', async (_case, options, message) => {
    const pool = clientPool(clientKinds[0]!, schema.url, { max: 1 });
    try {
      const client = (await pool.open()).client;
      const create = () => postgresWatchState({ client, ...(options as object) });
      expect(create).toThrow(TypeError);
      expect(create).toThrow(message);
    } finally {
      await pool.closeAll();
    }
  });
});
