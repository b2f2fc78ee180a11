// Queue mode (spec section 13), measured on this machine: the HTTP answer time of an Express
// receiver in queue mode (BullMQ) with a 10 s handler against inline mode with a 10 ms and an
// instant handler; the cost of one enqueue (Redis without persistence, and with AOF
// `appendfsync always`) and a receiver process's throughput in queue mode; and the end-to-end
// latency from the HTTP request to the handler's start in a worker process at 200 deliveries/s.
// Starts its own redis-servers on free ports; receivers and workers are child processes. Needs
// the packages built (`pnpm build`). Prints numbers; asserts nothing. Bounded: about a minute.
//
//   node packages/bullmq/bench/queue.bench.mjs [--quick]
import { fork, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { createConnection, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const SECRET = 'whsec_bench_queue';
const PATH = '/webhooks/together';
const quick = process.argv.includes('--quick');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.timeOrigin + performance.now();

/** A receiver: inline with a handler of `mode` ms, or `queue` (BullMQ on `redisUrl`). */
async function serve(mode, redisUrl, queueName) {
  const { default: express } = await import('express');
  const { createWebhooks, memoryStore } = await import('@x/together-webhooks-core');
  const { togetherWebhooks } = await import('@x/together-webhooks-express');
  let webhooks;
  if (mode === 'queue') {
    const { Queue } = await import('bullmq');
    const { bullmqQueue } = await import('@x/together-webhooks-bullmq');
    const queue = new Queue(queueName, { connection: { url: redisUrl, enableOfflineQueue: false } });
    await queue.waitUntilReady();
    webhooks = createWebhooks({ secret: SECRET, queue: bullmqQueue({ queue, jobOptions: { removeOnComplete: true } }) });
  } else {
    const handlerMs = Number(mode);
    webhooks = createWebhooks({ secret: SECRET, store: memoryStore() });
    webhooks.onAny(() => (handlerMs > 0 ? sleep(handlerMs) : undefined));
  }
  const app = express();
  app.post(PATH, togetherWebhooks(webhooks));
  const server = createServer(app);
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  process.send({ port: server.address().port });
}

/** A worker whose handler takes `handlerMs` and tells the parent when each run starts. */
async function work(handlerMs, redisUrl, queueName) {
  const { Redis } = await import('ioredis');
  const { createEventRouter } = await import('@x/together-webhooks-core');
  const { redisStore } = await import('@x/together-webhooks-redis');
  const { createBullmqWorker } = await import('@x/together-webhooks-bullmq');
  const client = new Redis(redisUrl);
  client.on('error', () => undefined);
  const router = createEventRouter({ store: redisStore({ client }), onError: () => undefined });
  const ms = Number(handlerMs);
  router.onAny(async (event) => {
    process.send({ started: event.id, at: now() });
    if (ms > 0) await sleep(ms);
  });
  const worker = createBullmqWorker(router, { queueName, connection: { url: redisUrl }, concurrency: 100, removeOnComplete: { count: 0 } });
  await worker.waitUntilReady();
  process.send({ ready: true });
}

async function freePort() {
  const server = createNetServer();
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

async function startRedis(persistent) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-queue-redis-'));
  const persistence = persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...persistence], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !(await ping(port)); i++) await sleep(25);
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM')));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const self = fileURLToPath(import.meta.url);
const children = [];
process.once('exit', () => children.forEach((child) => child.kill('SIGKILL')));

async function startChild(args, ready) {
  const child = fork(self, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  children.push(child);
  const [message] = await new Promise((resolve) => child.on('message', function listener(m) {
    if (ready(m)) (child.off('message', listener), resolve([m]));
  }));
  return { child, message };
}

async function stopChild(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

let counter = 0;
async function signedRequest() {
  const { sign } = await import('@x/together-webhooks-core');
  const id = `evt_bench_${process.pid}_${++counter}`;
  const body = JSON.stringify({ id, type: 'batch.completed', created: '2026-01-15T10:30:00.000Z', data: { id: 'batch_bench', status: 'COMPLETED' } });
  return { id, body, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...sign(body, { secret: SECRET }) } };
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
function post(port, delivery) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: PATH, method: 'POST', headers: delivery.headers, agent }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode));
    });
    req.once('error', reject);
    req.end(delivery.body);
  });
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const ms = (value) => `${value.toFixed(2)} ms`;

async function answerTimes(port, n) {
  const times = [];
  const statuses = new Map();
  for (let i = 0; i < n + 50; i++) {
    const delivery = await signedRequest();
    const started = performance.now();
    const status = await post(port, delivery);
    if (i >= 50) times.push(performance.now() - started);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99), statuses: [...statuses].map(([s, c]) => `${s} x${c}`).join(', ') };
}

async function main() {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    console.log('\nQueue mode bench: SKIPPED, redis-server is not installed.');
    return;
  }
  try {
    await import('@x/together-webhooks-bullmq');
  } catch (error) {
    console.error(`queue bench: the packages are not built; run \`pnpm build\` first (${error.message})`);
    process.exit(1);
  }
  const n = quick ? 200 : 500;
  const redis = await startRedis(false);
  const durable = await startRedis(true);
  try {
    // 1. Answer time: one request at a time, keep-alive, after 50 warm-up requests.
    console.log(`\nQueue mode: HTTP answer time (Express receiver, ${n} sequential deliveries each, keep-alive)`);
    const rows = [];
    for (const [label, mode] of [['inline, instant handler', '0'], ['inline, 10 ms handler', '10'], ['queue mode, 10 s handler (BullMQ)', 'queue']]) {
      const worker = mode === 'queue' ? (await startChild(['--work', '10000', redis.url, 'bench-answer'], (m) => m.ready)).child : undefined;
      const { child, message } = await startChild(['--serve', mode, redis.url, 'bench-answer'], (m) => m.port);
      const result = await answerTimes(message.port, n);
      rows.push([label, ms(result.p50), ms(result.p99), result.statuses]);
      await stopChild(child);
      if (worker) worker.kill('SIGKILL'); // its 10 s handlers need not finish
    }
    printTable(['mode', 'p50', 'p99', 'answers'], rows);
    const [inline] = rows;
    console.log(`queue mode p50 - inline instant p50: ${(parseFloat(rows[2][1]) - parseFloat(inline[1])).toFixed(2)} ms (target: within 2 ms)`);

    // 2. Enqueue cost, in this process, and a receiver's throughput in queue mode.
    const { Queue } = await import('bullmq');
    const { bullmqQueue } = await import('@x/together-webhooks-bullmq');
    const enqueueRows = [];
    for (const [label, server] of [['no persistence', redis], ['AOF appendfsync always', durable]]) {
      const queue = new Queue(`bench-enqueue-${Date.now()}`, { connection: { url: server.url } });
      await queue.waitUntilReady();
      const eventQueue = bullmqQueue({ queue });
      const event = (i) => ({ id: `evt_enqueue_${label.length}_${i}_${Date.now()}`, type: 'batch.completed', created: '2026-01-15T10:30:00.000Z', data: { id: 'batch_x', status: 'COMPLETED' } });
      for (let i = 0; i < 200; i++) await eventQueue.enqueue(event(`w${i}`));
      const sequential = [];
      for (let i = 0; i < n; i++) {
        const started = performance.now();
        await eventQueue.enqueue(event(`s${i}`));
        sequential.push(performance.now() - started);
      }
      const total = quick ? 2000 : 5000;
      const startedAt = performance.now();
      let next = 0;
      await Promise.all(Array.from({ length: 64 }, async () => {
        while (next < total) await eventQueue.enqueue(event(`c${next++}`));
      }));
      const perSecond = total / ((performance.now() - startedAt) / 1000);
      enqueueRows.push([label, ms(percentile(sequential, 50)), ms(percentile(sequential, 99)), `${Math.round(perSecond).toLocaleString('en-US')}/s`]);
      await queue.obliterate({ force: true });
      await queue.close();
    }
    console.log('\nQueue mode: one enqueue (bullmqQueue.enqueue, this process, loopback Redis)');
    printTable(['Redis', 'sequential p50', 'sequential p99', '64 in flight'], enqueueRows);

    const { default: autocannon } = await import('autocannon');
    const throughputRows = [];
    for (const [label, mode] of [['inline, instant handler', '0'], ['queue mode (enqueue only)', 'queue']]) {
      const { child, message } = await startChild(['--serve', mode, redis.url, 'bench-throughput'], (m) => m.port);
      const { sign } = await import('@x/together-webhooks-core');
      let i = 0;
      const result = await autocannon({
        url: `http://127.0.0.1:${message.port}${PATH}`,
        connections: 10,
        duration: quick ? 3 : 5,
        requests: [{
          method: 'POST',
          setupRequest(req) {
            const body = JSON.stringify({ id: `evt_ac_${mode}_${++i}_${Date.now()}`, type: 'batch.completed', created: '2026-01-15T10:30:00.000Z', data: { id: 'batch_x', status: 'COMPLETED' } });
            return { ...req, body, headers: { 'content-type': 'application/json', ...sign(body, { secret: SECRET }) } };
          },
        }],
      });
      throughputRows.push([label, `${Math.round(result.requests.average).toLocaleString('en-US')} req/s`, `${result['2xx']} 2xx, ${result.non2xx} other`]);
      await stopChild(child);
    }
    console.log('\nQueue mode: one receiver process, 10 connections (autocannon)');
    printTable(['mode', 'throughput', 'answers'], throughputRows);

    // 3. End to end at a steady rate: request sent -> handler start in a worker process.
    const rate = 200;
    const seconds = quick ? 3 : 5;
    const worker = await startChild(['--work', '0', redis.url, 'bench-e2e'], (m) => m.ready);
    const starts = new Map();
    worker.child.on('message', (m) => m.started && starts.set(m.started, m.at));
    const receiver = await startChild(['--serve', 'queue', redis.url, 'bench-e2e'], (m) => m.port);
    const sent = new Map();
    const answered = new Map();
    const pending = [];
    const begin = performance.now();
    for (let k = 0; k < rate * seconds; k++) {
      const due = begin + (k * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const delivery = await signedRequest();
      sent.set(delivery.id, now());
      pending.push(post(receiver.message.port, delivery).then(() => answered.set(delivery.id, now())));
    }
    await Promise.all(pending);
    const deadline = Date.now() + 10_000;
    while (starts.size < sent.size && Date.now() < deadline) await sleep(20);
    const fromSend = [...sent].filter(([id]) => starts.has(id)).map(([id, at]) => starts.get(id) - at);
    const fromAnswer = [...answered].filter(([id]) => starts.has(id)).map(([id, at]) => starts.get(id) - at);
    console.log(`\nQueue mode: end to end at ${rate} deliveries/s for ${seconds} s (receiver and worker processes, one Redis)`);
    printTable(['from', 'p50', 'p99', 'handled'], [
      ['request sent -> handler start', ms(percentile(fromSend, 50)), ms(percentile(fromSend, 99)), `${starts.size} of ${sent.size}`],
      ['202 received -> handler start', ms(percentile(fromAnswer, 50)), ms(percentile(fromAnswer, 99)), `${fromAnswer.length} of ${answered.size}`],
    ]);
    console.log('(a negative "202 received" time: the handler started before the sender had read its 202)');
    await stopChild(receiver.child);
    await stopChild(worker.child);
  } finally {
    agent.destroy();
    await redis.stop();
    await durable.stop();
  }
  process.exit(0);
}

function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-+-'));
  for (const row of rows) console.log(line(row));
}

// Last: the module's constants above are initialized by now.
if (process.argv[2] === '--serve') await serve(process.argv[3], process.argv[4], process.argv[5]);
else if (process.argv[2] === '--work') await work(process.argv[3], process.argv[4], process.argv[5]);
else await main();
