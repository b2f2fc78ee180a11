/**
 * @module statements — the SQL behind the store: one statement per store call, each deciding
 * expiry with the database's clock, so the clocks of the app's machines never matter.
 */
import { createHash } from 'node:crypto';
import type { TableName } from './table.js';

/** One statement of the store, for one table. @internal */
export interface Statement {
  readonly operation: 'claim' | 'renew' | 'complete' | 'release' | 'deleteExpired' | 'readWatchState' | 'insertWatchState' | 'updateWatchState';
  readonly text: string;
  /**
   * The name pg prepares it under on each connection. Derived from the text, so two stores on two
   * tables never reuse a name for different SQL (pg refuses that).
   */
  readonly name: string;
}

/** The statements of a store on one table. @internal */
export interface Statements {
  readonly claim: Statement;
  readonly renew: Statement;
  readonly complete: Statement;
  readonly release: Statement;
  readonly deleteExpired: Statement;
}

function statement(operation: Statement['operation'], text: string): Statement {
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return { operation, text, name: `together_webhooks_${operation}_${digest}` };
}

// Parameters: $1 the key (already fitted to 2048 bytes), $2 the token, $3 a duration in ms. Every
// answer column is one lowercase word, so a postgres.js `transform` (camel, snake) leaves it alone.
// `$3::float8 * interval '1 millisecond'` keeps fractions and never overflows an integer type.

/**
 * Builds the statements for `table`.
 * @internal
 */
export function statementsFor(table: TableName): Statements {
  const t = table.sql;
  const lapsed = 'e.expires_at <= statement_timestamp()';
  const ms = (at: string) => `extract(epoch FROM ${at} - statement_timestamp())::float8 * 1000`;
  return {
    /*
     * Claim. Answers one row: `won` (this claim's token owns the key now), `state` and `ms` (time
     * left on the record). Why it has this shape:
     *
     * - `INSERT … ON CONFLICT (key) DO UPDATE` is PostgreSQL's atomic upsert: it inserts, or, when
     *   the key exists, locks the newest committed version of its row (waiting for a transaction
     *   that is still writing it) and updates that version. Two concurrent claims of a new key never
     *   both insert: the second waits for the first and then takes the conflict path.
     * - The obvious shape, `DO UPDATE … WHERE <lapsed>` plus a second branch that SELECTs the row
     *   when nothing was returned, is wrong under concurrency: every part of one statement reads
     *   the snapshot taken when it started, and a row inserted (or taken over) by a claim that
     *   committed after that moment is invisible to the SELECT, though ON CONFLICT saw and locked
     *   it. The statement would then answer nothing, or a stale version of the row.
     * - So when the conflict path runs, it always updates (never filtered by WHERE), which makes
     *   RETURNING give the newest version: the update takes the row over only when its lease or
     *   retention has lapsed, and otherwise writes back what was there; `won` then tells the two
     *   apart by the token, fresh for every claim. The lapse is judged with
     *   `statement_timestamp()`, one value for the whole statement (it cannot disagree between
     *   the columns, as `clock_timestamp()` could), taken before any wait for a lock, so a
     *   claim only ever takes over a row that had lapsed when the claim arrived, and a new lease
     *   never ends before the pipeline's own deadline (measured from before it sent the claim).
     * - `live` first reads the row in the snapshot: a record live there (completed, or claimed
     *   with time left) was the key's state when the statement started, so it is a correct
     *   answer, ordered before any completion or release that commits later, and it costs no
     *   lock and no write. No claim can replace a live record (a takeover needs a lapse). Only a
     *   missing or lapsed row goes on to the upsert: a duplicate writes only in the race above.
     */
    claim: statement(
      'claim',
      `WITH live AS (
  SELECT state, expires_at FROM ${t} WHERE key = $1::text AND expires_at > statement_timestamp()
), upsert AS (
  INSERT INTO ${t} AS e (key, state, token, expires_at)
  SELECT $1::text, 'claimed', $2::text, statement_timestamp() + $3::float8 * interval '1 millisecond'
  WHERE NOT EXISTS (SELECT FROM live)
  ON CONFLICT (key) DO UPDATE SET
    state = CASE WHEN ${lapsed} THEN excluded.state ELSE e.state END,
    token = CASE WHEN ${lapsed} THEN excluded.token ELSE e.token END,
    expires_at = CASE WHEN ${lapsed} THEN excluded.expires_at ELSE e.expires_at END
  RETURNING e.token = $2::text AS won, e.state, e.expires_at
)
SELECT won, state, ${ms('expires_at')} AS ms FROM upsert
UNION ALL
SELECT false, state, ${ms('expires_at')} FROM live`,
    ),
    /*
     * Renew, complete and release act on the row only while it is this token's live claim. An
     * UPDATE or DELETE that finds the row locked by a concurrent writer waits, then checks its
     * WHERE again on the version that writer left (READ COMMITTED's recheck), so a takeover that
     * commits first leaves a stale holder nothing to match. `clock_timestamp()` is read when the
     * row is checked, after any such wait: a lease that lapsed while waiting is lapsed.
     */
    renew: statement(
      'renew',
      `UPDATE ${t} SET expires_at = clock_timestamp() + $3::float8 * interval '1 millisecond'
WHERE key = $1::text AND token = $2::text AND state = 'claimed' AND expires_at > clock_timestamp()
RETURNING true AS ok`,
    ),
    complete: statement(
      'complete',
      `UPDATE ${t} SET state = 'completed', expires_at = clock_timestamp() + $3::float8 * interval '1 millisecond'
WHERE key = $1::text AND token = $2::text AND state = 'claimed' AND expires_at > clock_timestamp()
RETURNING true AS ok`,
    ),
    release: statement(
      'release',
      `DELETE FROM ${t}
WHERE key = $1::text AND token = $2::text AND state = 'claimed' AND expires_at > clock_timestamp()
RETURNING true AS ok`,
    ),
    // Housekeeping only: claims ignore lapsed rows whether or not they are deleted. $1 is the most
    // rows to delete, NULL for all (LIMIT NULL is no limit). Rows another transaction holds are
    // skipped, and the outer WHERE is checked again on a row taken over meanwhile, which spares it.
    deleteExpired: statement(
      'deleteExpired',
      `WITH gone AS (
  DELETE FROM ${t} WHERE expires_at <= clock_timestamp() AND key IN (
    SELECT key FROM ${t} WHERE expires_at <= clock_timestamp() LIMIT $1::bigint FOR UPDATE SKIP LOCKED
  )
  RETURNING 1
)
SELECT count(*)::float8 AS deleted FROM gone`,
    ),
  };
}
