/* global AbortSignal -- a Node global the shared eslint globals list lacks */
// Express adapter throughput (spec section 9): Express with togetherWebhooks() and the memory store
// against the "verify floor" route (a bare Express route that reads the raw body, checks the HMAC,
// parses the JSON and answers a small JSON body), same load tool (autocannon), same run, same
// payload, on 127.0.0.1. Budget: at least 95% of the floor's requests per second, the median of at
// least 5 alternating rounds; also printed as server CPU microseconds per request. Needs the
// packages built (pnpm build). For context, a bare route that only reads the body is measured too.
//
// Payload: a signed 1 KiB fine_tune.completed delivery with a unique event id per request, signed
// by the load generator for both servers alike. Unique ids are the fair choice: every request
// takes the full path (verify, claim, handler, complete) that a real delivery takes, where one
// fixed id would measure only the cheaper duplicate path after the first request.
//
//   node packages/express/bench/express.bench.mjs [--duration 5] [--warmup 2] [--connections 10] [--rounds 5] [--ids unique|fixed] [--verbose]
import { fork } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const SECRET = 'whsec_bench_only';
const PATH = '/webhooks/together';

if (process.argv[2] === '--serve') await serve(process.argv[3]);
else await main();

async function serve(kind) {
  const { default: express } = await import('express');
  const app = express();
  let completed;
  if (kind === 'bare') {
    // The floor: read the raw body as bytes, answer 200 with a small JSON body.
    app.post(PATH, (req, res) => {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const json = `{"ok":true,"bytes":${body.byteLength}}`;
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
        res.end(json);
      });
    });
  } else if (kind === 'floor') {
    // The budget's reference: the bare route plus the least any verifier does (HMAC of timestamp
    // and body, a constant-time compare, JSON.parse), answering like the middleware.
    app.post(PATH, (req, res) => {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const expected = createHmac('sha256', SECRET).update(`${req.headers['x-together-timestamp']}.`).update(body).digest();
        const ok = timingSafeEqual(expected, Buffer.from(String(req.headers['x-together-signature']), 'hex'));
        const event = JSON.parse(body.toString('utf8'));
        const json = JSON.stringify({ ok, outcome: 'processed', id: event.id });
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
        res.end(json);
      });
    });
  } else {
    const { createWebhooks, memoryStore } = await import('@x/together-webhooks-core');
    const { togetherWebhooks } = await import('@x/together-webhooks-express');
    const webhooks = createWebhooks({ secret: SECRET, store: memoryStore() });
    completed = 0;
    webhooks.on('fine_tune.completed', () => {
      completed += 1;
    });
    app.post(PATH, togetherWebhooks(webhooks));
  }
  let cpuAtStart = process.cpuUsage();
  process.on('message', (message) => {
    if (message === 'start') cpuAtStart = process.cpuUsage();
    if (message === 'stats') {
      const cpu = process.cpuUsage(cpuAtStart);
      process.send({ completed, cpuMicros: cpu.user + cpu.system });
    }
  });
  const server = createServer(app);
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  process.send({ port: server.address().port });
}

async function main() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '5' },
      verbose: { type: 'boolean', default: false },
      ids: { type: 'string', default: 'unique' },
    },
  });
  const { default: autocannon } = await import('autocannon');
  const duration = Number(values.duration);
  const warmup = Number(values.warmup);
  const connections = Number(values.connections);
  const rounds = Number(values.rounds);
  const verbose = values.verbose;

  // A 1 KiB fine_tune.completed body whose id is a fixed-width counter, signed per request.
  let counter = 0;
  const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  const template = (id) =>
    JSON.stringify({
      id,
      type: 'fine_tune.completed',
      created: '2026-01-15T10:30:00.000Z',
      data: {
        id: 'ft-6a1b2c3d-0000-4e5f-8a9b-0c1d2e3f4a5b',
        status: 'completed',
        model: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference',
        model_output_name: 'acme/Meta-Llama-3.1-8B-Instruct-Reference-support-bot-2b1c',
        training_file: 'file-7d3e1a52-64f4-4fa6-9e3b-2b1f5f7c9d10',
        n_epochs: 3,
        epochs_completed: 3,
        note: '',
      },
    });
  const padding = 1024 - Buffer.byteLength(template(`evt_${run}_${'0'.repeat(10)}`));
  const fixedIds = values.ids === 'fixed';
  const delivery = () => {
    if (!fixedIds) counter += 1;
    const body = template(`evt_${run}_${String(counter).padStart(10, '0')}`).replace('"note":""', `"note":"${'x'.repeat(padding)}"`);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', SECRET).update(`${timestamp}.`).update(body).digest('hex');
    return { body, timestamp, signature };
  };
  const sample = delivery();
  if (Buffer.byteLength(sample.body) !== 1024) throw new Error(`payload is ${Buffer.byteLength(sample.body)} bytes, not 1024`);

  async function load(port, seconds) {
    const result = await autocannon({
      url: `http://127.0.0.1:${port}${PATH}`,
      connections,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            const d = delivery();
            request.body = d.body;
            request.headers = {
              'content-type': 'application/json',
              'x-together-timestamp': d.timestamp,
              'x-together-signature': d.signature,
            };
            return request;
          },
        },
      ],
    });
    return result;
  }

  // Bounded whatever happens: a stuck server or load run ends the bench with an error.
  const children = [];
  const watchdog = setTimeout(() => {
    console.error('express bench: still running after 5 minutes, stopping');
    for (const child of children) child.kill();
    process.exit(2);
  }, 5 * 60_000);
  watchdog.unref();
  process.on('exit', () => {
    for (const child of children) child.kill();
  });

  async function startServer(kind) {
    const child = fork(new URL(import.meta.url).pathname, ['--serve', kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    const [{ port }] = await once(child, 'message', { signal: AbortSignal.timeout(30_000) });
    return { kind, child, port };
  }

  async function measure(server, seconds) {
    server.child.send('start');
    const result = await load(server.port, seconds);
    server.child.send('stats');
    const [{ completed, cpuMicros }] = await once(server.child, 'message', { signal: AbortSignal.timeout(30_000) });
    const failed = result.non2xx + result.errors + result.timeouts;
    if (failed > 0) throw new Error(`${server.kind}: ${failed} requests were not answered 2xx`);
    return { rps: result.requests.average, total: result.requests.total, p99: result.latency.p99, completed, cpuMicros, cpu: cpuMicros / result.requests.total };
  }

  console.log(
    `Express adapter bench: ${connections} connections, ${warmup} s warmup, then ${rounds} alternating rounds of ${duration} s per server; ` +
      `1 KiB signed deliveries, ${fixedIds ? 'one fixed event id (duplicates after the first)' : 'a unique event id per request'}`,
  );
  // The servers stay up for the whole run and take turns, so a change in machine load falls on each.
  const bareServer = await startServer('bare');
  const floorServer = await startServer('floor');
  const middlewareServer = await startServer('middleware');
  for (const server of [bareServer, floorServer, middlewareServer]) await load(server.port, warmup);
  const bare = [];
  const floor = [];
  const middleware = [];
  for (let round = 1; round <= rounds; round++) {
    const b = await measure(bareServer, duration);
    const f = await measure(floorServer, duration);
    const m = await measure(middlewareServer, duration);
    bare.push(b);
    floor.push(f);
    middleware.push(m);
    console.log(
      `  round ${round}: ${((m.rps / f.rps) * 100).toFixed(1)}% of the floor | bare ${b.rps.toFixed(0)} req/s (server CPU ${b.cpu.toFixed(0)} µs/req) | ` +
        `verify floor ${f.rps.toFixed(0)} req/s (${f.cpu.toFixed(0)} µs/req) | ` +
        `togetherWebhooks ${m.rps.toFixed(0)} req/s (${m.cpu.toFixed(0)} µs/req)`,
    );
    if (verbose) {
      console.log(`    p99: bare ${b.p99} ms, floor ${f.p99} ms, togetherWebhooks ${m.p99} ms; ${m.completed} events processed so far`);
    }
  }
  for (const server of [bareServer, floorServer, middlewareServer]) {
    server.child.kill();
    await once(server.child, 'exit');
  }
  const mean = (runs) => runs.reduce((sum, r) => sum + r.rps, 0) / runs.length;
  const median = (values) => values.sort((x, y) => x - y)[Math.floor(values.length / 2)];
  const ofFloor = median(middleware.map((m, i) => m.rps / floor[i].rps));
  const ofBare = median(middleware.map((m, i) => m.rps / bare[i].rps));
  const pass = rounds >= 5 && ofFloor >= 0.95;
  console.log(`bare Express route (reads raw body, 200): ${mean(bare).toFixed(0)} req/s`);
  console.log(`verify floor (bare + HMAC + compare + JSON.parse): ${mean(floor).toFixed(0)} req/s, ${((mean(floor) / mean(bare)) * 100).toFixed(1)}% of bare`);
  console.log(`Express + togetherWebhooks + memoryStore: ${mean(middleware).toFixed(0)} req/s, median ${(ofBare * 100).toFixed(1)}% of bare`);
  // Server CPU time per request is less sensitive than req/s to what else the machine runs.
  const cpuPerRequest = (runs) => runs.reduce((sum, r) => sum + r.cpuMicros, 0) / runs.reduce((sum, r) => sum + r.total, 0);
  console.log(
    `server CPU per request: bare ${cpuPerRequest(bare).toFixed(0)} µs, floor ${cpuPerRequest(floor).toFixed(0)} µs, ` +
      `togetherWebhooks ${cpuPerRequest(middleware).toFixed(0)} µs (${((cpuPerRequest(floor) / cpuPerRequest(middleware)) * 100).toFixed(1)}% of the floor, CPU-bound)`,
  );
  console.log(`ratio: median of ${rounds} rounds ${(ofFloor * 100).toFixed(1)}% of the verify floor (budget >= 95%, >= 5 rounds) ${pass ? 'PASS' : 'MISS'}`);
  if (!pass) process.exitCode = 1;
}
