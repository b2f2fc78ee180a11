/**
 * @module watch-state — `postgresWatchState`: the watcher's state (`@x/together-webhooks-watch`)
 * in one row of a PostgreSQL table, so every cron invocation and every instance reads what the
 * last poll wrote. The compare-and-set is one statement: an `UPDATE … WHERE version = $2` (or an
 * `INSERT … ON CONFLICT DO NOTHING` for the first write), decided by the database.
 *
 * The `WatchState` type is the core's: this package never loads the watcher, and the watcher never
 * loads it (no build order between them).
 */
import { createHash, randomUUID } from 'node:crypto';
import { parseWatchSnapshot } from '@x/together-webhooks-core/internal';
import type { VersionedSnapshot, WatchSnapshot, WatchState, WriteResult } from '@x/together-webhooks-core';
import { statementRunner, type PostgresClientLike } from './client.js';
import type { Statement } from './statements.js';
import { isStorableText } from './store.js';
import { tableName, type TableName } from './table.js';

/** The table `postgresWatchState` and {@link createWatchStateTableSql} use when given none. */
export const DEFAULT_WATCH_STATE_TABLE = 'together_watch_state';

/** Options of {@link postgresWatchState}. */
export interface PostgresWatchStateOptions {
  /** A pg `Pool` or connected `Client`, or a postgres.js `sql` (as `postgresStore` takes). */
  client: PostgresClientLike;
  /** The table, created with {@link createWatchStateTableSql}. Default `together_watch_state`. */
  table?: string;
  /**
   * The row: one per watcher (several watchers of different accounts share a table). Default
   * `default`. Any non-empty string without U+0000, which PostgreSQL text cannot hold.
   */
  key?: string;
  /** Whether statements are prepared once per connection. Default true (see `postgresStore`). */
  prepare?: boolean;
}

/**
 * The DDL of the watch state's table (`CREATE TABLE IF NOT EXISTS`): run it once, at deploy time.
 *
 * @param table - `name` or `schema.name`; default `together_watch_state`
 * @returns the SQL
 * @example
 * ```ts
 * await pool.query(createWatchStateTableSql());
 * ```
 */
export function createWatchStateTableSql(table: string = DEFAULT_WATCH_STATE_TABLE): string {
  const { sql } = tableName(table);
  return `CREATE TABLE IF NOT EXISTS ${sql} (
  key        text COLLATE "C" PRIMARY KEY,
  version    text NOT NULL,
  snapshot   text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;
}

// Run by the store's own statement runner (prepared by name); the operation is for its messages.
function statement(operation: Statement['operation'], label: string, text: string): Statement {
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return { operation, text, name: `together_watch_${label}_${digest}` };
}

function statementsFor(table: TableName) {
  return {
    read: statement('readWatchState', 'read', `SELECT version, snapshot FROM ${table.sql} WHERE key = $1`),
    insert: statement('insertWatchState', 'insert', `INSERT INTO ${table.sql} (key, version, snapshot) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING RETURNING version`),
    update: statement(
      'updateWatchState',
      'update',
      `UPDATE ${table.sql} SET version = $2, snapshot = $3, updated_at = now() WHERE key = $1 AND version = $4 RETURNING version`,
    ),
  };
}

/**
 * A `WatchState` in a PostgreSQL table: a poll reads one row and, when something changed, writes
 * it back with one compare-and-set statement.
 *
 * @param options - the client, the table and the row's key
 * @returns the state, for `watchTogetherJobs({ state })` or `pollTogetherJobs({ state })`
 * @throws TypeError for a client that is not pg or postgres.js, a bad table name, or a key that is
 * empty or holds U+0000
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createWatchStateTableSql, postgresWatchState } from '@x/together-webhooks-postgres';
 * import { pollTogetherJobs } from '@x/together-webhooks-watch';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await pool.query(createWatchStateTableSql());
 * await pollTogetherJobs({ deliver: { url, secret }, state: postgresWatchState({ client: pool }) });
 * ```
 */
export function postgresWatchState(options: PostgresWatchStateOptions): WatchState {
  if (typeof options !== 'object' || (options as PostgresWatchStateOptions | null) === null) {
    throw new TypeError('postgresWatchState: options must be an object with a client');
  }
  const prepare = options.prepare ?? true;
  if (typeof prepare !== 'boolean') throw new TypeError('postgresWatchState: prepare must be a boolean');
  const runner = statementRunner(options.client, prepare);
  const table = tableName(options.table ?? DEFAULT_WATCH_STATE_TABLE);
  const key = options.key ?? 'default';
  // Checked here: PostgreSQL would only reject a U+0000 at the first read, inside a poll.
  if (typeof key !== 'string' || key.length === 0 || !isStorableText(key)) {
    throw new TypeError(`postgresWatchState: key must be a non-empty string without U+0000 (PostgreSQL text cannot hold it); got ${JSON.stringify(key)}`);
  }
  const statements = statementsFor(table);
  const where = `${table.name} row ${JSON.stringify(key)}`;

  return {
    async read(): Promise<VersionedSnapshot> {
      const rows = (await runner.run(statements.read, [key])) as { version?: unknown; snapshot?: unknown }[];
      const row = rows[0];
      if (row === undefined) return { snapshot: { jobs: {}, pending: [] }, version: null };
      return { snapshot: parseWatchSnapshot(String(row.snapshot), where) as WatchSnapshot, version: String(row.version) };
    },
    async write(snapshot, expectedVersion): Promise<WriteResult> {
      const version = randomUUID();
      const text = JSON.stringify(snapshot);
      const rows =
        expectedVersion === null
          ? await runner.run(statements.insert, [key, version, text])
          : await runner.run(statements.update, [key, version, text, expectedVersion]);
      return rows.length === 1 ? { written: true, version } : { written: false };
    },
  };
}
