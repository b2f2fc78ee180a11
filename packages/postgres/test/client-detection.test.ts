import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import postgres from 'postgres';
import { createTableSql, postgresStore, type PostgresClientLike } from '../src/index.js';
import { clientKinds, type OpenClient } from './clients.js';
import { createTestSchema, skipWithoutPostgres, type TestSchema } from './postgres-server.js';

const notAClient = (value: unknown) => value as PostgresClientLike;

describe('postgresStore client detection', () => {
  // Clients are created without connecting: detection reads their shape only.
  it.each([
    ['a pg Pool', () => new pg.Pool()],
    ['a pg Client', () => new pg.Client()],
    ['a postgres.js sql', () => postgres({ max: 1 })],
  ] as const)('accepts %s before it connects', (_name, create) => {
    expect(() => postgresStore({ client: create() })).not.toThrow();
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a connection string', 'postgres://127.0.0.1:5432/test'],
    ['an empty object', {}],
    ['a Map', new Map()],
    ['an object with query only', { query: () => Promise.resolve({ rows: [] }) }],
    ['a mysql2-like pool (query, getConnection)', { query: () => undefined, getConnection: () => undefined, end: () => undefined }],
    ['a function without unsafe (a tagged template of another library)', () => undefined],
    ['the postgres.js module itself, not an sql instance', postgres],
  ])('throws a TypeError naming both supported libraries for %s', (_name, client) => {
    expect(() => postgresStore({ client: notAClient(client) })).toThrow(TypeError);
    expect(() => postgresStore({ client: notAClient(client) })).toThrow(/pg \(node-postgres 8\) Pool or Client.*postgres\.js \(postgres 3\) sql/);
  });

  it('says which class it got', () => {
    class Sequelize {
      readonly dialect = 'postgres';
    }
    expect(() => postgresStore({ client: notAClient(new Sequelize()) })).toThrow(/got an instance of Sequelize/);
  });

  it('throws a TypeError without options, and for a prepare that is not a boolean', () => {
    expect(() => postgresStore(undefined as unknown as { client: PostgresClientLike })).toThrow(/options must be an object/);
    expect(() => postgresStore({ client: new pg.Pool(), prepare: 'yes' as unknown as boolean })).toThrow(/prepare must be a boolean/);
  });
});

// Which client the store took each one for shows in how it calls it: pg's `query({ name, text,
// values })`, queued one at a time on a Client (a single connection) but sent at once to a Pool;
// postgres.js's `unsafe(text, values, { prepare })`. The methods are wrapped, not replaced: the
// real server answers, so the calls must also be the right ones.
describe.skipIf(skipWithoutPostgres)('postgresStore drives each client the way its library runs queries', () => {
  let schema: TestSchema;
  let table: string;
  const opened: OpenClient[] = [];
  beforeAll(async () => {
    schema = await createTestSchema('detect');
    table = schema.table('events');
    await schema.query(createTableSql(table));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(opened.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await schema?.drop();
  });

  const open = async (index: number) => {
    const client = await clientKinds[index]!.connect(schema.url);
    opened.push(client);
    return client.client as unknown as Record<string, (...args: unknown[]) => unknown>;
  };

  /** Runs 5 concurrent claims, then completes them and claims again; returns the keys. */
  async function exercise(client: PostgresClientLike, options: { prepare?: boolean } = {}) {
    const store = postgresStore({ client, table, ...options });
    const keys = Array.from({ length: 5 }, (_, i) => `detect:${Date.now()}:${Math.random()}:${i}`);
    const claims = await Promise.all(keys.map((key) => store.claim(key, 60_000)));
    for (const [i, claim] of claims.entries()) {
      expect(claim.state).toBe('claimed');
      expect(await store.complete(keys[i]!, (claim as { token: string }).token, 60_000)).toBe(true);
      expect(await store.claim(keys[i]!, 60_000)).toEqual({ state: 'completed' });
    }
    return keys;
  }

  /** Wraps `method` of `target`, recording how many of its calls were still pending at each call. */
  function spyWithConcurrency(target: Record<string, (...args: unknown[]) => unknown>, method: string) {
    let pending = 0;
    const inFlight: number[] = [];
    const original = target[method]!.bind(target);
    const spy = vi.spyOn(target, method).mockImplementation((...args: unknown[]) => {
      inFlight.push(++pending);
      const answer = Promise.resolve(original(...args));
      void answer.then(
        () => pending--,
        () => pending--,
      );
      return answer;
    });
    return { spy, inFlight };
  }

  const named = (operation: string) => expect.stringMatching(new RegExp(`^together_webhooks_${operation}_[0-9a-f]{16}$`)) as unknown;

  it('takes a pg Pool for a pg Pool: named statements, all sent at once (the pool spreads them over connections)', async () => {
    const pool = await open(0);
    const { spy, inFlight } = spyWithConcurrency(pool, 'query');
    const keys = await exercise(pool as unknown as PostgresClientLike);
    expect(spy.mock.calls[0]).toEqual([{ name: named('claim'), text: expect.stringContaining('ON CONFLICT (key) DO UPDATE') as unknown, values: [keys[0], expect.any(String), 60_000] }]);
    expect(spy.mock.calls[5]).toEqual([{ name: named('complete'), text: expect.stringContaining("SET state = 'completed'") as unknown, values: [keys[0], expect.any(String), 60_000] }]);
    expect(spy.mock.calls).toHaveLength(15);
    expect(Math.max(...inFlight)).toBe(5);
  });

  it('takes a pg Client for a pg Client: one query at a time on its one connection', async () => {
    const client = await open(1);
    const { spy, inFlight } = spyWithConcurrency(client, 'query');
    await exercise(client as unknown as PostgresClientLike);
    expect(spy.mock.calls[0]).toEqual([{ name: named('claim'), text: expect.any(String) as unknown, values: expect.any(Array) as unknown }]);
    expect(spy.mock.calls).toHaveLength(15);
    expect(Math.max(...inFlight)).toBe(1);
  });

  it('takes a client checked out of a pg Pool (pool.connect()) for a pg Client', async () => {
    const pool = new pg.Pool({ connectionString: schema.url, max: 1 });
    const checkedOut = await pool.connect();
    try {
      const { inFlight } = spyWithConcurrency(checkedOut as unknown as Record<string, (...args: unknown[]) => unknown>, 'query');
      await exercise(checkedOut);
      expect(Math.max(...inFlight)).toBe(1);
    } finally {
      checkedOut.release();
      await pool.end();
    }
  });

  it('takes a postgres.js sql for postgres.js: unsafe(text, values, { prepare: true })', async () => {
    const sql = await open(2);
    const { spy } = spyWithConcurrency(sql, 'unsafe');
    const keys = await exercise(sql as unknown as PostgresClientLike);
    expect(spy.mock.calls[0]).toEqual([expect.stringContaining('ON CONFLICT (key) DO UPDATE') as unknown, [keys[0], expect.any(String), 60_000], { prepare: true }]);
    expect(spy.mock.calls).toHaveLength(15);
  });

  it('with prepare: false, sends pg unnamed statements and tells postgres.js not to prepare', async () => {
    const pool = await open(0);
    const sql = await open(2);
    const pgSpy = spyWithConcurrency(pool, 'query').spy;
    const jsSpy = spyWithConcurrency(sql, 'unsafe').spy;
    await exercise(pool as unknown as PostgresClientLike, { prepare: false });
    await exercise(sql as unknown as PostgresClientLike, { prepare: false });
    for (const [config] of pgSpy.mock.calls) expect(Object.keys(config as object).sort()).toEqual(['text', 'values']);
    for (const call of jsSpy.mock.calls) expect(call[2]).toEqual({ prepare: false });
  });
});
