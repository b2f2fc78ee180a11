/**
 * The PostgreSQL servers of the tests. Most tests use the machine's server (127.0.0.1:5432,
 * database `test`, trust auth; TEST_DATABASE_URL overrides it), each in a schema of its own that
 * it drops after. The fault test starts a cluster of its own (initdb, pg_ctl) on a free port, so
 * that it can shut it down. Without a server the tests skip loudly, except under CI, where they fail.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, missing, skipWithout } from '../../../runtimes/test/support.js';

/** The machine's server: where the tests create their schemas. */
export const SHARED_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const sharedFix = 'apt-get install postgresql; start it; createdb test; trust auth for 127.0.0.1 (.ci/run does all of it)';

async function reachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const sharedProblem = await reachable(SHARED_URL);

/** Whether to skip the tests that need the machine's server (never under CI: they fail instead). */
export const skipWithoutPostgres = skipWithout(`PostgreSQL at ${SHARED_URL}`, sharedProblem === undefined, sharedFix, 'the PostgreSQL store tests');

/** Throws, in a test that needs the machine's server, when it is not there (under CI). */
export function requirePostgres(): void {
  if (sharedProblem !== undefined) throw missing(`PostgreSQL at ${SHARED_URL} (${sharedProblem})`, sharedFix);
}

/** `url` with the search path set to `schema`, for pg, postgres.js and psql (`options=-c search_path=…`). */
export function urlWithSchema(url: string, schema: string): string {
  // Percent-encoded by hand: URLSearchParams writes a space as +, which libpq (psql) keeps as a +.
  return `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/** A schema of this test run's own on the machine's server. */
export interface TestSchema {
  readonly name: string;
  /** The server's URL with `search_path` set to the schema. */
  readonly url: string;
  /** `<schema>.<name>`: a table name for `postgresStore({ table })`. */
  table(name: string): string;
  /** Runs SQL on the server (one short-lived connection per call). */
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

async function queryOnce<R>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(text, values)).rows as R[];
  } finally {
    await client.end();
  }
}

/** Creates a schema with a unique name on the machine's server. */
export async function createTestSchema(label: string): Promise<TestSchema> {
  requirePostgres();
  const name = `together_${label}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  await queryOnce(SHARED_URL, `CREATE SCHEMA "${name}"`);
  return {
    name,
    url: urlWithSchema(SHARED_URL, name),
    table: (table) => `${name}.${table}`,
    query: (text, values) => queryOnce(SHARED_URL, text, values),
    drop: async () => {
      await queryOnce(SHARED_URL, `DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    },
  };
}

// ---- A cluster of the test's own, for shutting PostgreSQL down mid-stream ----

const ownFix = 'apt-get install postgresql (initdb and pg_ctl in /usr/lib/postgresql/<version>/bin)';

function serverBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((entry) => /^\d+$/.test(entry)) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest !== undefined && existsSync(join(root, newest, 'bin', 'initdb'))) return join(root, newest, 'bin');
  const onPath = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const bindir = onPath.status === 0 ? onPath.stdout.trim() : '';
  return bindir !== '' && existsSync(join(bindir, 'initdb')) ? bindir : undefined;
}

// initdb and pg_ctl refuse to run as root: as root they run as the `postgres` user the package creates.
function runAs(): { prefix: string[]; uid?: number; gid?: number } | undefined {
  if (userInfo().uid !== 0) return { prefix: [] };
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const [uid, gid] = [id('-u'), id('-g')];
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { prefix: ['runuser', '-u', 'postgres', '--'], uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

const bin = serverBinaries();
const user = runAs();

/** Whether to skip the tests that start their own cluster (never under CI). */
export const skipWithoutOwnCluster = skipWithout(
  'initdb and pg_ctl (and, as root, a postgres user)',
  bin !== undefined && user !== undefined,
  ownFix,
  'the PostgreSQL fault test',
);

/** A cluster this test started. */
export interface OwnPostgres {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  /** `pg_ctl stop -m immediate`: every backend ends at once, as in a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same data directory and port (crash recovery runs first). */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

// Asynchronous, so deliveries in flight keep moving while the server goes down.
function command(args: string[]): Promise<void> {
  const [file, ...rest] = [...user!.prefix, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(file!, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} failed (${code}):\n${output}`))));
  });
}

const started = new Set<string>();
process.once('exit', () => {
  // A test that failed before stopping its cluster: end the cluster with the test process.
  for (const data of started) {
    const argv = [...user!.prefix, join(bin!, 'pg_ctl'), 'stop', '-D', data, '-m', 'immediate'];
    spawnSync(argv[0]!, argv.slice(1));
  }
});

/** initdb in a new temporary directory, then starts the cluster on a free loopback port. */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  if (bin === undefined || user === undefined) throw missing('initdb and pg_ctl', ownFix);
  const dir = mkdtempSync(join(tmpdir(), 'together-postgres-'));
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid!);
  const data = join(dir, 'data');
  await command([join(bin, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=50 -c shared_buffers=16MB`;
  const start = async () => {
    await command([join(bin, 'pg_ctl'), 'start', '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', options]);
    started.add(data);
  };
  const halt = async (mode: 'immediate' | 'fast') => {
    await command([join(bin, 'pg_ctl'), 'stop', '-D', data, '-m', mode, '-w', '-t', '60']);
    started.delete(data);
  };
  await start();
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    kill: () => halt('immediate'),
    restart: start,
    async stop() {
      if (started.has(data)) await halt('fast');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
