/**
 * @module @x/together-webhooks-postgres — an idempotency store on PostgreSQL for together-webhooks,
 * for pg (node-postgres) and postgres.js clients: each Together AI event is handled once across all
 * instances.
 */
export { postgresStore, MAX_KEY_BYTES, type DeleteExpiredOptions, type PostgresStore, type PostgresStoreOptions } from './store.js';
export { createTableSql, DEFAULT_TABLE } from './table.js';
export type { PgClientLike, PgPoolLike, PgQueryConfig, PostgresClientLike, PostgresJsSqlLike } from './client.js';
export {
  createWatchStateTableSql,
  DEFAULT_WATCH_STATE_TABLE,
  postgresWatchState,
  type PostgresWatchStateOptions,
} from './watch-state.js';
