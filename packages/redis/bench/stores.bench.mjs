// Distributed stores, measured on this machine: requests each store makes per new event and
// per duplicate (counted by the servers and clients themselves, or on the wire), and handle()
// latency per event with the store on loopback, against the in-memory store. Starts its own
// redis-server on a free port and dynalite in this process; PostgreSQL is the machine's server
// (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test), in a schema of its own
// dropped after. Needs the packages built (`pnpm build`). Bounded: < 60 s.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createWebhooks, memoryStore, sign } from '@x/together-webhooks-core';
import { dynamoDbStore } from '@x/together-webhooks-dynamodb';
import { redisStore } from '@x/together-webhooks-redis';
import dynalite from 'dynalite';
import { Redis } from 'ioredis';
import { createClient } from 'redis';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const SECRET = 'whsec_bench_stores';
const N = Number(process.env.BENCH_STORE_EVENTS ?? 500);
const N_DYNAMO = Math.min(N, 300); // dynalite is a JavaScript database: slower per request
const WARMUP = 200;
const started = performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
    socket.once('data', (chunk) => (socket.destroy(), resolve(chunk.toString().startsWith('+PONG'))));
    socket.write('PING\r\n');
  });
}

async function startRedis() {
  if (spawnSync('redis-server', ['--version']).status !== 0) return undefined;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 200 && !(await ping(port)); i++) await sleep(25);
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM')));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const delivery = (id) => {
  const body = JSON.stringify({ id, type: 'resource.updated', created: new Date().toISOString(), data: {} });
  return { body, headers: sign(body, { secret: SECRET }) };
};

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/** handle() latency of `count` new events and then of a duplicate of each, in ms. */
async function latency(store, name, count) {
  const webhooks = createWebhooks({ secret: SECRET, store }).onAny(() => undefined);
  const run = `${name}-${Date.now()}`;
  for (let i = 0; i < WARMUP; i++) await webhooks.handle(delivery(`warm-${run}-${i}`));
  const deliveries = Array.from({ length: count }, (_, i) => delivery(`evt-${run}-${i}`));
  const measure = async (expected) => {
    const times = [];
    for (const d of deliveries) {
      const t = performance.now();
      const result = await webhooks.handle(d);
      times.push(performance.now() - t);
      if (result.outcome !== expected) throw new Error(`${name}: expected ${expected}, got ${result.outcome}`);
    }
    return times.sort((a, b) => a - b);
  };
  const fresh = await measure('processed');
  const dup = await measure('duplicate');
  return { name, fresh, dup };
}

/** Requests per new event and per duplicate, counted by `requests()` before and after. */
async function requestsPerEvent(store, requests, count = 100) {
  const webhooks = createWebhooks({ secret: SECRET, store }).onAny(() => undefined);
  const run = `req-${Date.now()}-${Math.random()}`;
  await webhooks.handle(delivery(`${run}-warm`)); // loads scripts, opens connections
  const deliveries = Array.from({ length: count }, (_, i) => delivery(`${run}-${i}`));
  let before = await requests();
  for (const d of deliveries) await webhooks.handle(d);
  const fresh = ((await requests()) - before) / count;
  before = await requests();
  for (const d of deliveries) await webhooks.handle(d);
  const dup = ((await requests()) - before) / count;
  return { fresh, dup };
}

const rows = [];
const requestRows = [];
const memory = await latency(memoryStore(), 'memory', N);
rows.push(memory);

const redis = await startRedis();
if (!redis) {
  console.warn('redis-server not found: the Redis rows are skipped');
} else {
  const io = new Redis(redis.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await io.connect();
  const node = createClient({ url: redis.url, disableOfflineQueue: true });
  node.on('error', () => undefined);
  await node.connect();
  const stats = new Redis(redis.url);
  // Top-level script calls are the round trips; the commands a script runs inside Redis are not.
  const scriptCalls = async () => {
    const info = await stats.info('commandstats');
    let calls = 0;
    for (const m of info.matchAll(/^cmdstat_(eval|evalsha):calls=(\d+),.*rejected_calls=(\d+)/gm)) calls += Number(m[2]) + Number(m[3]);
    return calls;
  };
  requestRows.push({ name: 'redis (ioredis)', counted: 'INFO commandstats: EVALSHA + EVAL', ...(await requestsPerEvent(redisStore({ client: io }), scriptCalls)) });
  requestRows.push({ name: 'redis (node-redis)', counted: 'INFO commandstats: EVALSHA + EVAL', ...(await requestsPerEvent(redisStore({ client: node }), scriptCalls)) });
  rows.push(await latency(redisStore({ client: io }), 'redis (ioredis)', N));
  rows.push(await latency(redisStore({ client: node }), 'redis (node-redis)', N));
  io.disconnect();
  stats.disconnect();
  await node.quit();
  await redis.stop();
}

// PostgreSQL: the store package and its clients come from packages/postgres (this package does not
// depend on them). Round trips are counted on the wire, by a loopback proxy: one starts each time
// the client sends after the server last spoke, whatever the library does above the socket.
async function roundTripProxy(targetPort) {
  let trips = 0;
  const sockets = new Set();
  const proxy = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    let clientSpokeLast = false;
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk) => ((trips += clientSpokeLast ? 0 : 1), (clientSpokeLast = true), upstream.write(chunk)));
    upstream.on('data', (chunk) => ((clientSpokeLast = false), client.write(chunk)));
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    port: proxy.address().port,
    trips: () => trips,
    close: () => (sockets.forEach((socket) => socket.destroy()), new Promise((resolve) => proxy.close(resolve))),
  };
}

async function benchPostgres() {
  const packageJson = new URL('../../postgres/package.json', import.meta.url);
  const dist = new URL('../../postgres/dist/index.js', import.meta.url);
  if (!existsSync(dist)) return console.warn('packages/postgres is not built: the PostgreSQL rows are skipped');
  const { postgresStore, createTableSql } = await import(dist.href);
  const requireFromPostgres = createRequire(packageJson);
  const pg = requireFromPostgres('pg');
  const postgres = requireFromPostgres('postgres');
  const base = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  const admin = new pg.Client({ connectionString: base.href, connectionTimeoutMillis: 2_000 });
  admin.on('error', () => undefined);
  try {
    await admin.connect();
  } catch (error) {
    return console.warn(`PostgreSQL not reachable at ${base.host} (${error.message}): the PostgreSQL rows are skipped`);
  }
  const schema = `bench_stores_${process.pid}_${Date.now()}`;
  const table = `${schema}.events`;
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.query(createTableSql(table));
  const via = (port) => Object.assign(new URL(base.href), { port: String(port) }).href;
  const proxy = await roundTripProxy(Number(base.port || 5432));
  const clients = [];
  const open = (kind, url, max) => {
    const client =
      kind === 'pg Pool'
        ? new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 2_000 })
        : postgres(url, { max, connect_timeout: 2, onnotice: () => undefined });
    if (kind === 'pg Pool') client.on('error', () => undefined);
    clients.push(client);
    return client;
  };
  try {
    for (const kind of ['pg Pool', 'postgres.js']) {
      // One connection, so every statement has been prepared on it after the warm-up delivery.
      const store = postgresStore({ client: open(kind, via(proxy.port), 1), table });
      requestRows.push({ name: `postgres (${kind})`, counted: 'round trips on the wire (proxy)', ...(await requestsPerEvent(store, async () => proxy.trips())) });
    }
    for (const kind of ['pg Pool', 'postgres.js']) {
      rows.push(await latency(postgresStore({ client: open(kind, base.href, 10), table }), `postgres (${kind})`, N));
    }
  } finally {
    await Promise.all(clients.map((client) => client.end()));
    await proxy.close();
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.end();
  }
}
await benchPostgres();

const server = dynalite({ createTableMs: 0 });
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const client = new DynamoDBClient({
  endpoint: `http://127.0.0.1:${server.address().port}`,
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});
await client.send(
  new CreateTableCommand({
    TableName: 'bench-events',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  }),
);
let sends = 0;
client.middlewareStack.add((next) => (args) => (sends++, next(args)), { step: 'initialize', name: 'countSends' });
const dynamo = dynamoDbStore({ client, tableName: 'bench-events' });
requestRows.push({ name: 'dynamodb (dynalite)', counted: 'client send() calls', ...(await requestsPerEvent(dynamo, async () => sends)) });
rows.push(await latency(dynamo, 'dynamodb (dynalite)', N_DYNAMO));
client.destroy();
server.closeAllConnections();
await new Promise((resolve) => server.close(resolve));

const f = (ms) => ms.toFixed(3).padStart(8);
console.log(`\n## stores: requests per event (${new Date().toISOString()}, node ${process.version})`);
console.log(`${'store'.padEnd(22)}${'new event'.padStart(10)}${'duplicate'.padStart(10)}  counted by`);
for (const r of requestRows) console.log(`${r.name.padEnd(22)}${String(r.fresh).padStart(10)}${String(r.dup).padStart(10)}  ${r.counted}`);
console.log('(dynalite ignores ReturnValuesOnConditionCheckFailure: on DynamoDB a duplicate is 1 request, not 2)');

console.log(`\n## stores: handle() latency per event, ms (store on loopback; ${N} events, dynalite ${N_DYNAMO})`);
console.log(`${'store'.padEnd(22)}${'new p50'.padStart(8)}${'new p99'.padStart(9)}${'dup p50'.padStart(9)}${'dup p99'.padStart(9)}  new p50 vs memory`);
for (const r of rows) {
  const ratio = percentile(r.fresh, 50) / percentile(memory.fresh, 50);
  console.log(
    `${r.name.padEnd(22)}${f(percentile(r.fresh, 50))}${f(percentile(r.fresh, 99)).padStart(9)}${f(percentile(r.dup, 50)).padStart(9)}${f(percentile(r.dup, 99)).padStart(9)}  ${ratio.toFixed(1)}x`,
  );
}
console.log(`\n(stores bench took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
