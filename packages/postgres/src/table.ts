/**
 * @module table — the store's table: its name (checked, then quoted) and the DDL that creates it.
 */

/** The table {@link createTableSql} and `postgresStore` use when given none. */
export const DEFAULT_TABLE = 'together_webhook_events';

// One identifier: a letter or underscore, then letters, digits, `_` or `$` (PostgreSQL's unquoted
// form). Nothing that needs escaping inside double quotes, so quoting it is always safe.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;
/** PostgreSQL truncates identifiers past 63 bytes (NAMEDATALEN - 1). */
const MAX_IDENTIFIER = 63;
/** The table part leaves room for the constraint names derived from it (`<table>_state_check`). */
const MAX_TABLE = MAX_IDENTIFIER - '_state_check'.length;

/** A checked table name: how it was written, and how it goes into SQL. @internal */
export interface TableName {
  /** As given: `events` or `schema.events`. */
  readonly name: string;
  /** Each part double-quoted: `"events"` or `"schema"."events"`. */
  readonly sql: string;
}

/**
 * Checks `table` (`name` or `schema.name`) and quotes each part.
 * @throws TypeError when it is not a string of one or two plain identifiers
 * @internal
 */
export function tableName(table: string = DEFAULT_TABLE): TableName {
  if (typeof table !== 'string') throw new TypeError(`table must be a string such as "${DEFAULT_TABLE}" or "webhooks.events"`);
  const parts = table.split('.');
  const valid =
    parts.length <= 2 &&
    parts.every((part) => IDENTIFIER.test(part) && part.length <= MAX_IDENTIFIER) &&
    parts[parts.length - 1]!.length <= MAX_TABLE;
  if (!valid) {
    throw new TypeError(
      `table must be "name" or "schema.name", each part a letter or _ followed by letters, digits, _ or $ ` +
        `(a table name of at most ${MAX_TABLE} characters, a schema of at most ${MAX_IDENTIFIER}); got ${JSON.stringify(table)}`,
    );
  }
  return { name: table, sql: parts.map((part) => `"${part}"`).join('.') };
}

/**
 * The DDL of the store's table, safe to run on every deploy (`IF NOT EXISTS`). The name is used
 * exactly as written (it is quoted): `Events` and `events` are two tables, so prefer lowercase. A
 * schema in `schema.name` must exist already.
 *
 * One row per event id: `key` (the pipeline's key, or its digest when longer than 2048 bytes),
 * `state` (`claimed` or `completed`), `token` (the claim's), and `expires_at` (end of the lease,
 * or of the retention once completed). The primary key is the only index: the store reads rows by
 * key alone, and an index on `expires_at`, which every claim, renewal and completion rewrites,
 * would cost each of those updates an entry in both indexes, where without it PostgreSQL can
 * update the row without touching any index (a HOT update).
 *
 * @param table - `name` or `schema.name`; default `together_webhook_events`
 * @returns one `CREATE TABLE IF NOT EXISTS` statement
 * @throws TypeError when `table` is not one or two plain identifiers
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createTableSql } from '@x/together-webhooks-postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await pool.query(createTableSql());
 * ```
 */
export function createTableSql(table?: string): string {
  const { sql } = tableName(table);
  return `CREATE TABLE IF NOT EXISTS ${sql} (
  key        text COLLATE "C" PRIMARY KEY,
  state      text NOT NULL CHECK (state IN ('claimed', 'completed')),
  token      text NOT NULL,
  expires_at timestamptz NOT NULL
);
`;
}
