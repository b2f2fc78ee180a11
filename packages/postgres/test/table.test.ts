import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTableSql, DEFAULT_TABLE, postgresStore } from '../src/index.js';
import { createTestSchema, skipWithoutPostgres, type TestSchema } from './postgres-server.js';

describe('table names', () => {
  it.each([
    ['the default', undefined, '"together_webhook_events"'],
    ['a plain name', 'webhook_events', '"webhook_events"'],
    ['a name with capitals, kept as written', 'WebhookEvents', '"WebhookEvents"'],
    ['a schema-qualified name', 'billing.webhook_events', '"billing"."webhook_events"'],
    ['underscores, digits and $', '_events$2', '"_events$2"'],
    ['a 51-character table in a 63-character schema', `${'s'.repeat(63)}.${'t'.repeat(51)}`, `"${'s'.repeat(63)}"."${'t'.repeat(51)}"`],
  ])('accepts %s and quotes each part', (_name, table, quoted) => {
    expect(createTableSql(table)).toContain(`CREATE TABLE IF NOT EXISTS ${quoted} (`);
    expect(postgresStore({ client: new pg.Pool(), ...(table === undefined ? {} : { table }) }).table).toBe(table ?? DEFAULT_TABLE);
  });

  it.each([
    ['an empty string', ''],
    ['an injection attempt', 'events; DROP TABLE users; --'],
    ['a quoted identifier', '"events"'],
    ['a space', 'webhook events'],
    ['a leading digit', '1events'],
    ['three parts', 'db.schema.events'],
    ['an empty schema', '.events'],
    ['an empty table after the schema', 'billing.'],
    ['a non-ASCII letter', 'événements'],
    ['a hyphen', 'webhook-events'],
    ['a table name of 52 characters', 't'.repeat(52)],
    ['a schema of 64 characters', `${'s'.repeat(64)}.events`],
    ['a number', 42],
    ['null', null],
  ])('rejects %s with a TypeError that says what is allowed, in createTableSql and postgresStore', (_name, table) => {
    const rule = /table must be "name" or "schema\.name"|table must be a string/;
    expect(() => createTableSql(table as string)).toThrow(TypeError);
    expect(() => createTableSql(table as string)).toThrow(rule);
    expect(() => postgresStore({ client: new pg.Pool(), table: table as string })).toThrow(rule);
  });

  it('is the documented DDL', () => {
    expect(createTableSql()).toBe(`CREATE TABLE IF NOT EXISTS "together_webhook_events" (
  key        text COLLATE "C" PRIMARY KEY,
  state      text NOT NULL CHECK (state IN ('claimed', 'completed')),
  token      text NOT NULL,
  expires_at timestamptz NOT NULL
);
`);
  });
});

describe.skipIf(skipWithoutPostgres)('createTableSql on a real database', () => {
  let schema: TestSchema;
  let pool: pg.Pool;
  beforeAll(async () => {
    schema = await createTestSchema('ddl');
    pool = new pg.Pool({ connectionString: schema.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await schema?.drop();
  });

  const columns = (table: string) =>
    schema.query<{ column_name: string; data_type: string; is_nullable: string; collation_name: string | null }>(
      `SELECT column_name, data_type, is_nullable, collation_name FROM information_schema.columns
       WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
      [schema.name, table],
    );

  it('creates the table, runs again as a no-op, and the store works on it', async () => {
    const table = schema.table('events');
    await pool.query(createTableSql(table));
    await pool.query(createTableSql(table)); // every deploy may run it
    expect(await columns('events')).toEqual([
      { column_name: 'key', data_type: 'text', is_nullable: 'NO', collation_name: 'C' },
      { column_name: 'state', data_type: 'text', is_nullable: 'NO', collation_name: null },
      { column_name: 'token', data_type: 'text', is_nullable: 'NO', collation_name: null },
      { column_name: 'expires_at', data_type: 'timestamp with time zone', is_nullable: 'NO', collation_name: null },
    ]);
    const [primary] = await schema.query<{ definition: string }>(
      `SELECT pg_get_indexdef(indexrelid) AS definition FROM pg_index WHERE indrelid = $1::regclass`,
      [`"${schema.name}"."events"`],
    );
    expect(primary?.definition).toMatch(/UNIQUE INDEX events_pkey ON .* USING btree \(key\)/);
    await expect(pool.query(`INSERT INTO "${schema.name}"."events" VALUES ('k', 'done', 't', now())`)).rejects.toThrow(/check constraint/);

    const store = postgresStore({ client: pool, table });
    const claim = await store.claim('together:event:ddl', 60_000);
    expect(claim.state).toBe('claimed');
    expect(await store.complete('together:event:ddl', (claim as { token: string }).token, 60_000)).toBe(true);
    expect(await store.claim('together:event:ddl', 60_000)).toEqual({ state: 'completed' });
  });

  it('uses the name exactly as written: "Events" and events are two tables', async () => {
    await pool.query(createTableSql(schema.table('Events')));
    await pool.query(createTableSql(schema.table('events_lower')));
    const tables = await schema.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name COLLATE "C"`,
      [schema.name],
    );
    expect(tables.map((row) => row.table_name)).toContain('Events');
    const upper = postgresStore({ client: pool, table: schema.table('Events') });
    const lower = postgresStore({ client: pool, table: schema.table('events_lower') });
    expect((await upper.claim('together:event:case', 60_000)).state).toBe('claimed');
    expect((await lower.claim('together:event:case', 60_000)).state).toBe('claimed');
  });

  it('finds an unqualified table on the search path', async () => {
    // schema.url sets search_path to the test schema, as a DATABASE_URL with options would.
    await pool.query(createTableSql('on_search_path'));
    expect(await columns('on_search_path')).toHaveLength(4);
    expect((await postgresStore({ client: pool, table: 'on_search_path' }).claim('together:event:path', 60_000)).state).toBe('claimed');
  });

  it('a store on a table that does not exist rejects, naming the table', async () => {
    const store = postgresStore({ client: pool, table: schema.table('missing') });
    await expect(store.claim('together:event:missing', 60_000)).rejects.toThrow(/relation ".*missing" does not exist/);
  });
});
