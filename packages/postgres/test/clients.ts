/**
 * The three clients the store supports, each opened with the fail-fast settings the README
 * recommends: while PostgreSQL is unreachable a query rejects at once instead of waiting.
 */
import pg from 'pg';
import postgres from 'postgres';
import type { PostgresClientLike } from '../src/index.js';

/** An open client and how to close it. */
export interface OpenClient {
  client: PostgresClientLike;
  close: () => Promise<void>;
}

/** A supported client. */
export interface ClientKind {
  name: 'pg Pool' | 'pg Client' | 'postgres.js';
  /**
   * Whether it reconnects by itself after the server went away: a pg Pool and a postgres.js sql
   * open new connections; a pg Client is one connection, dead once that one is.
   */
  reconnects: boolean;
  connect(url: string, options?: { max?: number }): Promise<OpenClient>;
}

export const pgPool: ClientKind = {
  name: 'pg Pool',
  reconnects: true,
  async connect(url, { max = 5 } = {}) {
    const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 2_000 });
    // An idle connection that drops emits 'error' on the pool; unhandled, it would end the process.
    pool.on('error', () => undefined);
    return { client: pool, close: () => pool.end() };
  },
};

export const pgClient: ClientKind = {
  name: 'pg Client',
  reconnects: false,
  async connect(url) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    await client.connect();
    return { client, close: () => client.end().catch(() => undefined) };
  },
};

export const postgresJs: ClientKind = {
  name: 'postgres.js',
  reconnects: true,
  async connect(url, { max = 5 } = {}) {
    // fetch_types off, as the README advises: postgres.js leaves a failing array-types query's
    // rejection unhandled when a connection opens during an outage (porsager/postgres#1192).
    const sql = postgres(url, { max, connect_timeout: 2, fetch_types: false, onnotice: () => undefined });
    return { client: sql, close: () => sql.end({ timeout: 0 }) };
  },
};

/** pg Pool, pg Client, postgres.js. */
export const clientKinds: readonly ClientKind[] = [pgPool, pgClient, postgresJs];

/** Opens clients of one kind and closes every one of them at the end. */
export function clientPool(kind: ClientKind, url: string, options?: { max?: number }): { open(): Promise<OpenClient>; closeAll(): Promise<void> } {
  const opened: OpenClient[] = [];
  return {
    async open() {
      const client = await kind.connect(url, options);
      opened.push(client);
      return client;
    },
    async closeAll() {
      await Promise.all(opened.splice(0).map((client) => client.close()));
    },
  };
}
