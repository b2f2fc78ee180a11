import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import postgres from 'postgres';
import { fitStoreKey, type ClaimResult } from '@x/together-webhooks-core';
import { createTableSql, MAX_KEY_BYTES, postgresStore, type PgPoolLike, type PostgresStore } from '../src/index.js';
import { clientKinds, type OpenClient } from './clients.js';
import { createTestSchema, skipWithoutPostgres, SHARED_URL, type TestSchema } from './postgres-server.js';
import { startRoundTripProxy } from './round-trips.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const tokenOf = (claim: ClaimResult) => (claim as { token: string }).token;
let sequence = 0;
const newKey = (label: string) => `together:event:${label}:${process.pid}:${Date.now()}:${++sequence}`;

/** A pg-shaped client whose every query answers `rows`. */
function answering(rows: unknown): PgPoolLike {
  return { query: async () => ({ rows }) as { rows: unknown[] }, connect: async () => undefined, totalCount: 0, idleCount: 0 };
}

describe('postgresStore input checks (no database)', () => {
  const store = postgresStore({ client: answering([]) });

  it.each([
    ['an empty key', () => store.claim('', 1000), TypeError, /key must be a non-empty string/],
    ['a key that is not a string', () => store.claim(42 as unknown as string, 1000), TypeError, /key must be a non-empty string/],
    ['a lease of 0', () => store.claim('k', 0), RangeError, /leaseMs must be a positive number of milliseconds/],
    ['a negative lease', () => store.claim('k', -5), RangeError, /leaseMs/],
    ['a lease of NaN', () => store.claim('k', Number.NaN), RangeError, /leaseMs/],
    ['an infinite lease', () => store.claim('k', Number.POSITIVE_INFINITY), RangeError, /leaseMs/],
    ['a lease given as a string', () => store.claim('k', '1000' as unknown as number), RangeError, /leaseMs/],
    ['a lease of 200 years', () => store.claim('k', 200 * 365 * 24 * 3600 * 1000), RangeError, /at most 100 years/],
    ['an empty token', () => store.renew('k', '', 1000), TypeError, /token must be a non-empty string/],
    ['a retention of 0', () => store.complete('k', 't', 0), RangeError, /retentionMs must be a positive number/],
    ['release without a token', () => store.release('k', undefined as unknown as string), TypeError, /token/],
    ['a deleteExpired limit of 0', () => store.deleteExpired({ limit: 0 }), RangeError, /limit must be a positive integer/],
    ['a fractional deleteExpired limit', () => store.deleteExpired({ limit: 1.5 }), RangeError, /limit/],
  ])('rejects %s', async (_name, call, type, message) => {
    await expect(call()).rejects.toThrow(type);
    await expect(call()).rejects.toThrow(message);
  });

  it.each([
    ['no row', []],
    ['two rows', [{ won: true, state: 'claimed', ms: 1 }, { won: false, state: 'claimed', ms: 1 }]],
    ['a row without won', [{ state: 'claimed', ms: 1 }]],
    ['won as a string', [{ won: 'true', state: 'claimed', ms: 1 }]],
    ['an in_progress without time left', [{ won: false, state: 'claimed', ms: null }]],
  ])('never reads a claim answer it does not understand (%s) as claimed: it rejects', async (_name, rows) => {
    await expect(postgresStore({ client: answering(rows) }).claim('k', 1000)).rejects.toThrow(/unexpected answer to the claim statement/);
  });

  it('rejects a row in a state this store never writes', async () => {
    await expect(postgresStore({ client: answering([{ won: false, state: 'paused', ms: 5 }]) }).claim('k', 1000)).rejects.toThrow(
      /holds a state this store does not write/,
    );
  });

  it('rejects an answer without rows', async () => {
    const client = { ...answering([]), query: async () => ({}) as { rows: unknown[] } };
    await expect(postgresStore({ client }).renew('k', 't', 1000)).rejects.toThrow(/answered a query without rows/);
  });
});

describe('keys PostgreSQL cannot take as they are', () => {
  it('fits long keys with the core fitStoreKey at 2048 bytes', async () => {
    const seen: unknown[][] = [];
    const client: PgPoolLike = { ...answering([{ won: true, state: 'claimed', ms: 1 }]), query: async (config) => (seen.push(config.values), { rows: [{ won: true, state: 'claimed', ms: 1 }] }) };
    const store = postgresStore({ client });
    const exact = 'k'.repeat(MAX_KEY_BYTES);
    const long = 'k'.repeat(MAX_KEY_BYTES + 1);
    await store.claim(exact, 1000);
    await store.claim(long, 1000);
    expect(MAX_KEY_BYTES).toBe(2048);
    expect(seen[0]![0]).toBe(exact);
    expect(seen[1]![0]).toBe(fitStoreKey(long, 2048));
    expect(seen[1]![0]).not.toBe(long);
  });
});

describe.skipIf(skipWithoutPostgres)('postgresStore on a real server', () => {
  let schema: TestSchema;
  let table: string;
  let pool: pg.Pool;
  let store: PostgresStore;
  const quoted = () => table.split('.').map((part) => `"${part}"`).join('.');
  beforeAll(async () => {
    schema = await createTestSchema('store');
    table = schema.table('events');
    await schema.query(createTableSql(table));
    pool = new pg.Pool({ connectionString: schema.url, max: 4 });
    store = postgresStore({ client: pool, table });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(async () => {
    await pool?.end();
    await schema?.drop();
  });

  /** A transaction on its own connection that writes `key`'s row and holds it until the test ends it. */
  async function holdRow(key: string, write: string): Promise<{ commit(): Promise<void>; rollback(): Promise<void> }> {
    const client = await pool.connect();
    await client.query('BEGIN');
    await client.query(write.replaceAll('$table', quoted()), [key]);
    const end = async (command: string) => {
      await client.query(command);
      client.release();
    };
    return { commit: () => end('COMMIT'), rollback: () => end('ROLLBACK') };
  }

  const pendingFor = async <T>(promise: Promise<T>, ms: number) => {
    const state = await Promise.race([promise.then(() => 'settled'), sleep(ms).then(() => 'pending')]);
    return state;
  };

  // The race the claim statement is built for: a row inserted, or taken over, by a claim that
  // commits after this statement's snapshot was taken is invisible to a plain SELECT in it; the
  // upsert still waits for it and answers from its newest version.
  describe('claims racing a transaction that writes the same row', () => {
    it('waits for a concurrent insert of a live claim, then answers in_progress with the time left', async () => {
      const key = newKey('race-claimed');
      const other = await holdRow(key, `INSERT INTO $table VALUES ($1, 'claimed', 'other', clock_timestamp() + interval '5 seconds')`);
      const claim = store.claim(key, 60_000);
      expect(await pendingFor(claim, 300)).toBe('pending');
      await other.commit();
      const answer = await claim;
      expect(answer.state).toBe('in_progress');
      const retry = (answer as { retryAfterMs: number }).retryAfterMs;
      expect(retry).toBeGreaterThan(3_000);
      expect(retry).toBeLessThanOrEqual(5_000);
    });

    it('waits for a concurrent insert of a completed record, then answers completed', async () => {
      const key = newKey('race-completed');
      const other = await holdRow(key, `INSERT INTO $table VALUES ($1, 'completed', 'other', clock_timestamp() + interval '1 hour')`);
      const claim = store.claim(key, 60_000);
      expect(await pendingFor(claim, 300)).toBe('pending');
      await other.commit();
      expect(await claim).toEqual({ state: 'completed' });
    });

    it('claims the key when the concurrent insert rolls back', async () => {
      const key = newKey('race-rollback');
      const other = await holdRow(key, `INSERT INTO $table VALUES ($1, 'claimed', 'other', clock_timestamp() + interval '5 seconds')`);
      const claim = store.claim(key, 60_000);
      expect(await pendingFor(claim, 300)).toBe('pending');
      await other.rollback();
      const answer = await claim;
      expect(answer.state).toBe('claimed');
      expect(await store.complete(key, tokenOf(answer), 60_000)).toBe(true);
    });

    it('does not take over a lapsed row that a concurrent claim took over first', async () => {
      const key = newKey('race-takeover');
      await schema.query(`INSERT INTO ${quoted()} VALUES ($1, 'claimed', 'stale', clock_timestamp() - interval '1 second')`, [key]);
      const other = await holdRow(key, `UPDATE $table SET token = 'winner', expires_at = clock_timestamp() + interval '5 seconds' WHERE key = $1`);
      const claim = store.claim(key, 60_000);
      expect(await pendingFor(claim, 300)).toBe('pending');
      await other.commit();
      expect((await claim).state).toBe('in_progress');
      const [row] = await schema.query<{ token: string }>(`SELECT token FROM ${quoted()} WHERE key = $1`, [key]);
      expect(row?.token).toBe('winner');
    });

    it('a stale holder waiting on the row while it is taken over changes nothing', async () => {
      const key = newKey('race-fence');
      const claim = await store.claim(key, 60_000);
      // Another claim takes the row over (as after a lapse) in a transaction that is still open.
      const other = await holdRow(key, `UPDATE $table SET token = 'winner' WHERE key = $1`);
      const complete = store.complete(key, tokenOf(claim), 60_000);
      expect(await pendingFor(complete, 300)).toBe('pending');
      await other.commit();
      expect(await complete).toBe(false);
      expect((await store.claim(key, 60_000)).state).toBe('in_progress');
    });
  });

  describe("the database's clock decides", () => {
    it("answers the same whatever the app's clock says", async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date('2099-01-01T00:00:00Z'));
      const key = newKey('app-clock');
      const claim = await store.claim(key, 10_000);
      expect(claim.state).toBe('claimed');
      vi.setSystemTime(new Date('1999-01-01T00:00:00Z'));
      const busy = await store.claim(key, 10_000);
      expect(busy.state).toBe('in_progress');
      expect((busy as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(8_000);
      expect((busy as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(10_000);
      expect(await store.complete(key, tokenOf(claim), 10_000)).toBe(true);
      expect(await store.claim(key, 10_000)).toEqual({ state: 'completed' });
    });

    it('a lease the database says has lapsed is taken over at once, and the stale token is fenced off', async () => {
      const key = newKey('db-lapse');
      const stale = await store.claim(key, 60_000);
      await schema.query(`UPDATE ${quoted()} SET expires_at = clock_timestamp() - interval '1 millisecond' WHERE key = $1`, [key]);
      expect(await store.renew(key, tokenOf(stale), 60_000)).toBe(false);
      const fresh = await store.claim(key, 60_000);
      expect(fresh.state).toBe('claimed');
      expect(tokenOf(fresh)).not.toBe(tokenOf(stale));
      expect(await store.complete(key, tokenOf(stale), 60_000)).toBe(false);
      expect(await store.release(key, tokenOf(stale))).toBe(false);
      expect(await store.complete(key, tokenOf(fresh), 60_000)).toBe(true);
    });

    it('renew sets the lease from the database clock, in milliseconds', async () => {
      const key = newKey('renew');
      const claim = await store.claim(key, 1_000);
      expect(await store.renew(key, tokenOf(claim), 30_000)).toBe(true);
      const [row] = await schema.query<{ left: number }>(
        `SELECT extract(epoch FROM expires_at - clock_timestamp())::float8 * 1000 AS left FROM ${quoted()} WHERE key = $1`,
        [key],
      );
      expect(row!.left).toBeGreaterThan(28_000);
      expect(row!.left).toBeLessThanOrEqual(30_000);
    });
  });

  it('a duplicate of a live record writes nothing: the row keeps its version (xmin)', async () => {
    const key = newKey('no-write');
    const version = async () => (await schema.query<{ xmin: string }>(`SELECT xmin::text FROM ${quoted()} WHERE key = $1`, [key]))[0]?.xmin;
    const claim = await store.claim(key, 60_000);
    const claimedVersion = await version();
    expect((await store.claim(key, 60_000)).state).toBe('in_progress');
    expect(await version()).toBe(claimedVersion);
    expect(await store.complete(key, tokenOf(claim), 60_000)).toBe(true);
    const completedVersion = await version();
    expect(completedVersion).not.toBe(claimedVersion);
    for (let i = 0; i < 3; i++) expect(await store.claim(key, 60_000)).toEqual({ state: 'completed' });
    expect(await version()).toBe(completedVersion);
  });

  describe('keys', () => {
    const stored = async () => new Set((await schema.query<{ key: string }>(`SELECT key FROM ${quoted()}`)).map((row) => row.key));

    it('keeps keys up to 2048 bytes as they are, and stores longer ones as a digest that fits the index', async () => {
      const prefix = newKey('long');
      const exact = `${prefix}:${'é'.repeat((MAX_KEY_BYTES - Buffer.byteLength(prefix) - 1) / 2)}`;
      expect(Buffer.byteLength(exact)).toBeLessThanOrEqual(MAX_KEY_BYTES);
      const long = `${prefix}:${'键'.repeat(5_000)}`;
      for (const key of [exact, long, `${long}x`]) {
        const claim = await store.claim(key, 60_000);
        expect(claim.state).toBe('claimed');
        expect(await store.complete(key, tokenOf(claim), 60_000)).toBe(true);
        expect(await store.claim(key, 60_000)).toEqual({ state: 'completed' });
      }
      const keys = await stored();
      expect(keys).toContain(exact);
      expect(keys).toContain(fitStoreKey(long, 2048));
      expect(keys).toContain(fitStoreKey(`${long}x`, 2048));
      const [widest] = await schema.query<{ bytes: number }>(`SELECT max(octet_length(key)) AS bytes FROM ${quoted()}`);
      expect(widest!.bytes).toBeLessThanOrEqual(MAX_KEY_BYTES);
    });

    it('takes keys holding U+0000 (which text cannot hold) and keeps them apart', async () => {
      const prefix = newKey('nul');
      const [a, b] = [`${prefix}:a\u0000b`, `${prefix}:a\u0000c`];
      const claimA = await store.claim(a, 60_000);
      expect(claimA.state).toBe('claimed');
      expect((await store.claim(b, 60_000)).state).toBe('claimed');
      expect(await store.complete(a, tokenOf(claimA), 60_000)).toBe(true);
      expect(await store.claim(a, 60_000)).toEqual({ state: 'completed' });
      expect((await store.claim(b, 60_000)).state).toBe('in_progress');
      const digests = [...(await stored())].filter((key) => key.startsWith(prefix.slice(0, 64)) && key.includes('~sha256:'));
      expect(digests.length).toBeGreaterThanOrEqual(2);
    });

    it('keeps keys with different unpaired surrogates apart', async () => {
      const prefix = newKey('surrogate');
      const first = await store.claim(`${prefix}:\ud800`, 60_000);
      expect(first.state).toBe('claimed');
      expect((await store.claim(`${prefix}:\ud801`, 60_000)).state).toBe('claimed');
      expect((await store.claim(`${prefix}:\ud800`, 60_000)).state).toBe('in_progress');
    });
  });

  describe('deleteExpired', () => {
    it('deletes lapsed claims and expired records only, and honours a limit', async () => {
      const cleanup = await createTestSchema('cleanup');
      const cleanTable = cleanup.table('events');
      try {
        await cleanup.query(createTableSql(cleanTable));
        const cleanupStore = postgresStore({ client: pool, table: cleanTable });
        const live = await cleanupStore.claim('live', 60_000);
        const done = await cleanupStore.claim('done', 60_000);
        await cleanupStore.complete('done', tokenOf(done), 60_000);
        for (const key of ['lapsed-1', 'lapsed-2', 'lapsed-3']) await cleanupStore.claim(key, 1);
        const expired = await cleanupStore.claim('expired', 60_000);
        await cleanupStore.complete('expired', tokenOf(expired), 1);
        await sleep(20);
        expect(await cleanupStore.deleteExpired({ limit: 2 })).toBe(2);
        expect(await cleanupStore.deleteExpired()).toBe(2);
        expect(await cleanupStore.deleteExpired()).toBe(0);
        const keys = (await cleanup.query<{ key: string }>(`SELECT key FROM "${cleanup.name}"."events" ORDER BY key`)).map((row) => row.key);
        expect(keys).toEqual(['done', 'live']);
        expect(await cleanupStore.claim('done', 60_000)).toEqual({ state: 'completed' });
        expect(await cleanupStore.complete('live', tokenOf(live), 60_000)).toBe(true);
      } finally {
        await cleanup.drop();
      }
    });
  });

  describe('failures reject, never read as claimed', () => {
    it.each([
      ['a pg Pool', () => new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMillis: 1_000 })],
      ['a postgres.js sql', () => postgres('postgres://postgres@127.0.0.1:1/test', { connect_timeout: 1, max: 1 })],
    ])('%s that cannot reach the server', async (_name, create) => {
      const client = create();
      const unreachable = postgresStore({ client, table });
      await expect(unreachable.claim(newKey('down'), 60_000)).rejects.toThrow(/ECONNREFUSED|connect/);
      await expect(unreachable.complete(newKey('down'), 'token', 60_000)).rejects.toThrow();
    });

    it('a pg Pool that was ended', async () => {
      const ended = new pg.Pool({ connectionString: schema.url });
      await ended.end();
      await expect(postgresStore({ client: ended, table }).claim(newKey('ended'), 60_000)).rejects.toThrow(/pool/i);
    });
  });

  // The wire protocol: every store call is one round trip (postgres.js: once each connection has
  // prepared the statement; the first use describes it first, one more).
  describe('round trips, counted on the wire', () => {
    const opened: OpenClient[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((client) => client.close()));
    });

    it.each(clientKinds)('one per store call with a $name', async (kind) => {
      const proxy = await startRoundTripProxy(Number(new URL(SHARED_URL).port || 5432));
      try {
        const open = await kind.connect(proxy.url(schema.url), { max: 1 });
        opened.push(open);
        const measured = postgresStore({ client: open.client, table });
        const counted = async <T>(call: () => Promise<T>): Promise<[T, number]> => {
          const before = proxy.roundTrips;
          const answer = await call();
          return [answer, proxy.roundTrips - before];
        };
        // Warm up: the connection is open and every statement has been used once on it.
        const warm = newKey('warm');
        const warmClaim = await measured.claim(warm, 60_000);
        await measured.renew(warm, tokenOf(warmClaim), 60_000);
        await measured.release(warm, tokenOf(warmClaim));
        const warmAgain = await measured.claim(warm, 60_000);
        await measured.complete(warm, tokenOf(warmAgain), 60_000);

        const key = newKey('trips');
        const [claim, claimTrips] = await counted(() => measured.claim(key, 60_000));
        const [, renewTrips] = await counted(() => measured.renew(key, tokenOf(claim), 60_000));
        const [, busyTrips] = await counted(() => measured.claim(key, 60_000));
        const [, completeTrips] = await counted(() => measured.complete(key, tokenOf(claim), 60_000));
        const [duplicate, duplicateTrips] = await counted(() => measured.claim(key, 60_000));
        const other = newKey('trips-release');
        const otherClaim = await measured.claim(other, 60_000);
        const [, releaseTrips] = await counted(() => measured.release(other, tokenOf(otherClaim)));
        expect(duplicate).toEqual({ state: 'completed' });
        expect({ claimTrips, renewTrips, busyTrips, completeTrips, duplicateTrips, releaseTrips }).toEqual({
          claimTrips: 1,
          renewTrips: 1,
          busyTrips: 1,
          completeTrips: 1,
          duplicateTrips: 1,
          releaseTrips: 1,
        });
      } finally {
        await Promise.all(opened.splice(0).map((client) => client.close()));
        await proxy.close();
      }
    });
  });
});
