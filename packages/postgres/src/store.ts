/**
 * @module store — `postgresStore`: the idempotency contract on a PostgreSQL table that every
 * instance of an app shares. One statement per call; expiry is decided by the database's clock.
 */
import { randomUUID } from 'node:crypto';
import { fitStoreKey, type ClaimResult, type IdempotencyStore } from '@x/together-webhooks-core';
import { statementRunner, type PostgresClientLike } from './client.js';
import { statementsFor, type Statement } from './statements.js';
import { tableName } from './table.js';

/** Options of {@link postgresStore}. */
export interface PostgresStoreOptions {
  /**
   * A pg `Pool` (recommended) or connected `Client`, or a postgres.js `sql`. Give it a
   * `connectionTimeoutMillis` (pg) or `connect_timeout` (postgres.js), so that while PostgreSQL
   * is unreachable deliveries answer 503 at once instead of waiting (see the README).
   */
  client: PostgresClientLike;
  /** The table: `name` or `schema.name`, created with {@link createTableSql}. Default `together_webhook_events`. */
  table?: string;
  /**
   * Whether statements are prepared once per connection (pg: named statements; postgres.js:
   * prepared). Default true. Set false behind a pooler that cannot keep prepared statements
   * (PgBouncer in transaction mode before 1.21): each call then parses its statement again, still
   * one round trip with pg, two with postgres.js.
   */
  prepare?: boolean;
}

/** Options of {@link PostgresStore.deleteExpired}. */
export interface DeleteExpiredOptions {
  /** The most rows to delete in this call (a positive integer). Default: every expired row. */
  limit?: number;
}

/** A {@link postgresStore}: the idempotency contract, plus housekeeping. */
export interface PostgresStore extends IdempotencyStore {
  /** The table, as given (`together_webhook_events` by default). */
  readonly table: string;
  /**
   * Deletes records whose lease or retention has lapsed, to keep the table small. Never needed
   * for correctness: every statement ignores lapsed records whether or not they were deleted.
   * @returns how many rows were deleted
   */
  deleteExpired(options?: DeleteExpiredOptions): Promise<number>;
}

/**
 * The longest key kept as it is, in UTF-8 bytes; longer ones go in as a fixed-length digest.
 * Well under the 2704 bytes a btree index entry may take on 8 KiB pages.
 */
export const MAX_KEY_BYTES = 2048;

/** A lease or retention past this (about 100 years) is a mistake, and would overflow timestamptz arithmetic. */
const MAX_MS = 100 * 365.25 * 24 * 3600 * 1000;

// PostgreSQL's text cannot hold U+0000: a key holding one goes in as a digest too.
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what PostgreSQL text cannot hold
const UNSTORABLE = /\u0000/;

/** Whether PostgreSQL text can hold `text` (it holds no U+0000). @internal */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** The key as stored: the pipeline's key, or its digest when too long or not storable as text. @internal */
export function storeKey(key: string): string {
  return fitStoreKey(key, MAX_KEY_BYTES, UNSTORABLE);
}

function milliseconds(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_MS) {
    throw new RangeError(`${name} must be a positive number of milliseconds, at most 100 years; got ${String(value)}`);
  }
  // Whole milliseconds, as the other stores; rounding up never shortens a lease.
  return Math.ceil(value);
}

function assertString(value: string, name: string): void {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${name} must be a non-empty string`);
}

function unexpected(statement: Statement, rows: unknown): Error {
  return new Error(`postgresStore: unexpected answer to the ${statement.operation} statement: ${JSON.stringify(rows) ?? String(rows)}`);
}

interface ClaimRow {
  won: unknown;
  state: unknown;
  ms: unknown;
}

function claimResult(statement: Statement, key: string, token: string, rows: unknown[]): ClaimResult {
  const row = rows[0] as ClaimRow | undefined;
  if (rows.length !== 1 || typeof row !== 'object' || row === null) throw unexpected(statement, rows);
  if (row.won === true && row.state === 'claimed') return { state: 'claimed', token };
  if (row.won !== false) throw unexpected(statement, rows);
  if (row.state === 'completed') return { state: 'completed' };
  if (row.state === 'claimed') {
    // Time left on a live claim: positive by the statement's own condition. A string, should
    // the app have given pg a float8 parser of its own.
    const left = typeof row.ms === 'number' || typeof row.ms === 'string' ? Number(row.ms) : Number.NaN;
    if (!Number.isFinite(left)) throw unexpected(statement, rows);
    return { state: 'in_progress', retryAfterMs: Math.max(1, Math.ceil(left)) };
  }
  throw new Error(`postgresStore: the row of ${key} holds a state this store does not write: does another program use the table?`);
}

/**
 * An {@link IdempotencyStore} on a PostgreSQL table, shared by every instance of an app: each
 * event id's handlers run once across all of them.
 *
 * Every call is one SQL statement, so a new event costs 2 round trips and a duplicate 1. A claim
 * is one `INSERT … ON CONFLICT` that takes a row over only when its lease or retention has
 * lapsed; renew, complete and release act only while the caller's token owns a live claim.
 * Expiry is decided by the database's clock in the statements themselves: the clocks of the app's
 * machines do not matter, and no cleanup job is needed (`deleteExpired()` only saves space).
 *
 * @param options - `client`: a pg `Pool` or `Client`, or a postgres.js `sql`, detected by its
 * shape; `table`: `name` or `schema.name` (default `together_webhook_events`)
 * @returns a store for `createWebhooks({ store })`
 * @throws TypeError when `client` is none of those, or `table` is not a plain identifier
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createWebhooks } from '@x/together-webhooks-core';
 * import { createTableSql, postgresStore } from '@x/together-webhooks-postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 2_000 });
 * await pool.query(createTableSql());
 * const webhooks = createWebhooks({ secret: process.env.TOGETHER_WEBHOOK_SECRET!, store: postgresStore({ client: pool }) });
 * ```
 */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  if (typeof options !== 'object' || (options as PostgresStoreOptions | null) === null) {
    throw new TypeError('postgresStore: options must be an object with a client');
  }
  const prepare = options.prepare ?? true;
  if (typeof prepare !== 'boolean') throw new TypeError('postgresStore: prepare must be a boolean');
  const runner = statementRunner(options.client, prepare);
  const table = tableName(options.table);
  const statements = statementsFor(table);

  const fenced = async (statement: Statement, key: string, token: string, extra: readonly number[]): Promise<boolean> => {
    assertString(key, 'key');
    assertString(token, 'token');
    const rows = await runner.run(statement, [storeKey(key), token, ...extra]);
    if (rows.length > 1) throw unexpected(statement, rows);
    return rows.length === 1;
  };

  return {
    table: table.name,
    async claim(key, leaseMs) {
      assertString(key, 'key');
      const lease = milliseconds(leaseMs, 'leaseMs');
      const token = randomUUID();
      return claimResult(statements.claim, key, token, await runner.run(statements.claim, [storeKey(key), token, lease]));
    },
    renew: async (key, token, leaseMs) => fenced(statements.renew, key, token, [milliseconds(leaseMs, 'leaseMs')]),
    complete: async (key, token, retentionMs) => fenced(statements.complete, key, token, [milliseconds(retentionMs, 'retentionMs')]),
    release: async (key, token) => fenced(statements.release, key, token, []),
    async deleteExpired(deleteOptions = {}) {
      const limit = deleteOptions.limit;
      if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) {
        throw new RangeError(`limit must be a positive integer, got ${String(limit)}`);
      }
      const rows = await runner.run(statements.deleteExpired, [limit ?? null]);
      const deleted = Number((rows[0] as { deleted?: unknown } | undefined)?.deleted);
      if (rows.length !== 1 || !Number.isInteger(deleted)) throw unexpected(statements.deleteExpired, rows);
      return deleted;
    },
  };
}
