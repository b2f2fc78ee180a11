/**
 * @module client — tells a pg (node-postgres) `Pool` or `Client` from a postgres.js `sql` by its
 * shape, and runs the store's statements on either in one round trip.
 */
import type { Statement } from './statements.js';

/** A pg query as an object: with a `name`, pg prepares it once per connection. */
export interface PgQueryConfig {
  name?: string;
  text: string;
  values: unknown[];
}

/** The part of a pg (node-postgres 8) `Pool` that the store calls: `new pg.Pool()`. */
export interface PgPoolLike {
  query(config: PgQueryConfig): Promise<{ rows: unknown[] }>;
  connect(): Promise<unknown>;
  readonly totalCount: number;
  readonly idleCount: number;
}

/** The part of a pg (node-postgres 8) `Client` that the store calls: `new pg.Client()`, connected. */
export interface PgClientLike {
  query(config: PgQueryConfig): Promise<{ rows: unknown[] }>;
  connect(): Promise<unknown>;
  escapeIdentifier(identifier: string): string;
}

/** The part of a postgres.js (postgres 3) `sql` instance that the store calls: `postgres(url)`. */
export interface PostgresJsSqlLike {
  unsafe(query: string, parameters: never[], options: { prepare: boolean }): PromiseLike<readonly unknown[]>;
  begin: (...args: never[]) => unknown;
  end: (...args: never[]) => unknown;
}

/** A client `postgresStore` accepts. */
export type PostgresClientLike = PgPoolLike | PgClientLike | PostgresJsSqlLike;

/** Which library, and which of its objects, a client is. @internal */
export type PostgresClientKind = 'pg Pool' | 'pg Client' | 'postgres.js';

/** Runs one statement: a single round trip (for postgres.js, once the connection prepared it). @internal */
export interface StatementRunner {
  readonly kind: PostgresClientKind;
  run(statement: Statement, values: readonly (string | number | null)[]): Promise<unknown[]>;
}

type Shape = Partial<Record<'query' | 'connect' | 'totalCount' | 'idleCount' | 'escapeIdentifier' | 'unsafe' | 'begin' | 'end', unknown>>;

function isPostgresJs(client: unknown): client is PostgresJsSqlLike {
  // A postgres.js `sql` is itself a function (the tagged template) with methods on it.
  const shape = client as Shape;
  return typeof client === 'function' && typeof shape.unsafe === 'function' && typeof shape.begin === 'function';
}

function isPgPool(client: Shape): client is PgPoolLike {
  return (
    typeof client.query === 'function' &&
    typeof client.connect === 'function' &&
    typeof client.totalCount === 'number' &&
    typeof client.idleCount === 'number'
  );
}

function isPgClient(client: Shape): client is PgClientLike {
  return typeof client.query === 'function' && typeof client.connect === 'function' && typeof client.escapeIdentifier === 'function';
}

function rowsOf(result: unknown): unknown[] {
  const rows = (result as { rows?: unknown } | null)?.rows;
  if (!Array.isArray(rows)) throw new Error(`postgresStore: the client answered a query without rows: ${describe(result)}`);
  return rows;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function without unsafe/begin';
  if (typeof value !== 'object') return typeof value;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== 'Object' ? `an instance of ${name}` : 'an object without query/unsafe';
}

/**
 * Wraps `client` after checking that it is a pg `Pool` or `Client` or a postgres.js `sql`.
 * @throws TypeError naming the clients that work, for anything else
 * @internal
 */
export function statementRunner(client: unknown, prepare: boolean): StatementRunner {
  if (isPostgresJs(client)) {
    const sql = client;
    return {
      kind: 'postgres.js',
      // Prepared, postgres.js binds and executes in one round trip; unprepared (or the first time
      // on a connection) it asks the server to describe the statement first, one trip more. An
      // `sql` created with `prepare: false` keeps that setting whatever is passed here.
      run: async (statement, values) => [...(await sql.unsafe(statement.text, values as never[], { prepare }))],
    };
  }
  const shape = (typeof client === 'object' && client !== null ? client : {}) as Shape;
  const pg = isPgPool(shape) ? 'pg Pool' : isPgClient(shape) ? 'pg Client' : undefined;
  if (pg) {
    const queryable = shape as PgPoolLike | PgClientLike;
    // Parse, bind, execute and sync go out together: one round trip, named or not. A named
    // statement is parsed and planned once per connection instead of on every call.
    const query = async (statement: Statement, values: readonly (string | number | null)[]) =>
      rowsOf(
        await queryable.query(
          prepare ? { name: statement.name, text: statement.text, values: [...values] } : { text: statement.text, values: [...values] },
        ),
      );
    if (pg === 'pg Pool') return { kind: pg, run: query };
    // A Client is one connection and runs one query at a time; pg 8 queues a query sent while
    // another runs but deprecates that (pg 9 refuses it), so the store queues its own.
    let tail: Promise<unknown> = Promise.resolve();
    return {
      kind: pg,
      run(statement, values) {
        const answer = tail.then(() => query(statement, values));
        tail = answer.catch(() => undefined);
        return answer;
      },
    };
  }
  throw new TypeError(
    `postgresStore: client must be a pg (node-postgres 8) Pool or Client (new pg.Pool(), new pg.Client()) ` +
      `or a postgres.js (postgres 3) sql instance (postgres(url)); got ${describe(client)}`,
  );
}
