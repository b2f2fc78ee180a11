/* global AbortSignal -- a Node global the shared eslint globals list lacks */
/**
 * @module adapter-bench — the throughput bench every HTTP adapter runs (spec section 9), as the
 * Express bench measures it: the framework with the adapter and the memory store against the
 * "verify floor" route on the same framework (reads the raw body, checks the HMAC, parses the JSON,
 * answers a small JSON body), plus a bare route that only reads the body, for context. Each server
 * is a child process; they stay up for the whole run and take turns (alternating rounds), so a
 * change in machine load falls on each; the ratio is the median of the rounds' ratios. Server CPU
 * microseconds per request (process.cpuUsage of the server child) are printed too: they depend less
 * on what else the machine runs.
 *
 * Payload: a signed 1 KiB fine_tune.completed delivery with a unique event id per request (the full
 * path: verify, claim, handler, complete), signed by the load generator for every server alike.
 *
 * A bench file calls {@link runAdapterBench} with its servers; run it directly:
 *   node packages/<pkg>/bench/<name>.bench.mjs [--duration 5] [--warmup 2] [--connections 10] [--rounds 5] [--ids unique|fixed] [--verbose]
 *
 * With `--instructions` it counts instead the instructions each server executes per request under
 * valgrind's callgrind (see instruction-count.mjs): no budget, but a number the machine's load does
 * not move, to tell whether a change removed work (`--window 20000` requests per window,
 * `--windows 2`, after `--warmup-requests 40000`; about 7 minutes).
 */
import { fork } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { callgrindOutDir, forkUnderCallgrind, instructionCountUnavailable, instructionsPerRequest } from './instruction-count.mjs';

/** The secret every server and the load generator share. */
export const BENCH_SECRET = 'whsec_bench_only';
/** The path every server answers on. */
export const BENCH_PATH = '/webhooks/together';

/**
 * What the floor route does with the raw body, whatever the framework: the HMAC of timestamp and
 * body, a constant-time compare, JSON.parse, and the JSON answer the adapter would give.
 *
 * @param {Uint8Array} body - the raw bytes
 * @param {Record<string, string | string[] | undefined> | Headers} headers - the request's headers
 * @returns {string} the answer's JSON text
 */
export function floorAnswer(body, headers) {
  const get = (name) => (typeof headers.get === 'function' ? headers.get(name) : headers[name]);
  const expected = createHmac('sha256', BENCH_SECRET).update(`${get('x-together-timestamp')}.`).update(body).digest();
  const ok = timingSafeEqual(expected, Buffer.from(String(get('x-together-signature')), 'hex'));
  const event = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  return JSON.stringify({ ok, outcome: 'processed', id: event.id });
}

/**
 * The adapter's receiver for the bench: the memory store and a handler that counts.
 *
 * @returns {Promise<{ webhooks: import('@x/together-webhooks-core').Webhooks, completed: () => number }>}
 */
export async function benchReceiver() {
  const { createWebhooks, memoryStore } = await import('@x/together-webhooks-core');
  const webhooks = createWebhooks({ secret: BENCH_SECRET, store: memoryStore() });
  let completed = 0;
  webhooks.on('fine_tune.completed', () => {
    completed += 1;
  });
  return { webhooks, completed: () => completed };
}

/**
 * @typedef {{ port: number, completed?: () => number }} Served
 *   a server listening on 127.0.0.1: its port, and for the adapter how many events it processed
 * @typedef {{
 *   framework: string,
 *   adapter: string,
 *   benchFile: string,
 *   autocannon: () => Promise<{ default: Function }>,
 *   serve: { bare: () => Promise<Served>, floor: () => Promise<Served>, adapter: () => Promise<Served> },
 * }} AdapterBench
 */

/**
 * Runs the bench: in the parent it starts the three servers as children of `benchFile` and loads
 * them; in a child (`--serve <kind>`) it serves one of them.
 *
 * @param {AdapterBench} bench
 */
export async function runAdapterBench(bench) {
  if (process.argv[2] === '--serve') await serveChild(bench, process.argv[3]);
  else await main(bench);
}

async function serveChild(bench, kind) {
  const { port, completed } = await bench.serve[kind]();
  let cpuAtStart = process.cpuUsage();
  process.on('message', (message) => {
    if (message === 'start') cpuAtStart = process.cpuUsage();
    if (message === 'stats') {
      const cpu = process.cpuUsage(cpuAtStart);
      process.send({ completed: completed?.(), cpuMicros: cpu.user + cpu.system });
    }
  });
  process.send({ port });
}

/** A 1 KiB fine_tune.completed body whose id is a fixed-width counter, signed per request. */
function deliveries(fixedIds) {
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
  const delivery = () => {
    if (!fixedIds) counter += 1;
    const body = template(`evt_${run}_${String(counter).padStart(10, '0')}`).replace('"note":""', `"note":"${'x'.repeat(padding)}"`);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', BENCH_SECRET).update(`${timestamp}.`).update(body).digest('hex');
    return { body, timestamp, signature };
  };
  const sample = delivery();
  if (Buffer.byteLength(sample.body) !== 1024) throw new Error(`payload is ${Buffer.byteLength(sample.body)} bytes, not 1024`);
  return delivery;
}

async function main(bench) {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '5' },
      verbose: { type: 'boolean', default: false },
      ids: { type: 'string', default: 'unique' },
      instructions: { type: 'boolean', default: false },
      'warmup-requests': { type: 'string', default: '40000' },
      window: { type: 'string', default: '20000' },
      windows: { type: 'string', default: '2' },
    },
  });
  const { default: autocannon } = await bench.autocannon();
  const duration = Number(values.duration);
  const warmup = Number(values.warmup);
  const connections = Number(values.connections);
  const rounds = Number(values.rounds);
  const fixedIds = values.ids === 'fixed';
  const delivery = deliveries(fixedIds);
  const { framework, adapter } = bench;

  // A load for `extent` seconds, or of exactly `{ amount }` requests.
  const load = (port, extent) =>
    autocannon({
      url: `http://127.0.0.1:${port}${BENCH_PATH}`,
      connections,
      ...(typeof extent === 'number' ? { duration: extent } : extent),
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            const d = delivery();
            request.body = d.body;
            request.headers = { 'content-type': 'application/json', 'x-together-timestamp': d.timestamp, 'x-together-signature': d.signature };
            return request;
          },
        },
      ],
    });

  // Bounded whatever happens: a stuck server or load run ends the bench with an error. Under
  // valgrind the servers run some 30 times slower.
  const children = [];
  const limitMinutes = values.instructions ? 30 : 5;
  const watchdog = setTimeout(() => {
    console.error(`${framework} bench: still running after ${limitMinutes} minutes, stopping`);
    for (const child of children) child.kill();
    process.exit(2);
  }, limitMinutes * 60_000);
  watchdog.unref();
  process.on('exit', () => {
    for (const child of children) child.kill();
  });

  async function startServer(kind, callgrindDir) {
    const benchFile = fileURLToPath(bench.benchFile);
    const child = callgrindDir
      ? forkUnderCallgrind(benchFile, kind, callgrindDir)
      : fork(benchFile, ['--serve', kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    // Under valgrind a server takes several seconds to start.
    const [{ port }] = await once(child, 'message', { signal: AbortSignal.timeout(callgrindDir ? 120_000 : 30_000) });
    return { kind, child, port };
  }

  if (values.instructions) {
    await countInstructions({ values, load, startServer, framework, adapter });
    return;
  }

  async function measure(server, seconds) {
    server.child.send('start');
    const result = await load(server.port, seconds);
    server.child.send('stats');
    const [{ completed, cpuMicros }] = await once(server.child, 'message', { signal: AbortSignal.timeout(30_000) });
    answeredAll(result, server.kind);
    return { rps: result.requests.average, total: result.requests.total, p99: result.latency.p99, completed, cpuMicros, cpu: cpuMicros / result.requests.total };
  }

  console.log(
    `${framework} adapter bench: ${connections} connections, ${warmup} s warmup, then ${rounds} alternating rounds of ${duration} s per server; ` +
      `1 KiB signed deliveries, ${fixedIds ? 'one fixed event id (duplicates after the first)' : 'a unique event id per request'}`,
  );
  const servers = { bare: await startServer('bare'), floor: await startServer('floor'), adapter: await startServer('adapter') };
  for (const server of Object.values(servers)) await load(server.port, warmup);
  const runs = { bare: [], floor: [], adapter: [] };
  for (let round = 1; round <= rounds; round++) {
    for (const kind of ['bare', 'floor', 'adapter']) runs[kind].push(await measure(servers[kind], duration));
    const [b, f, m] = [runs.bare.at(-1), runs.floor.at(-1), runs.adapter.at(-1)];
    console.log(
      `  round ${round}: ${((m.rps / f.rps) * 100).toFixed(1)}% of the floor | bare ${b.rps.toFixed(0)} req/s (server CPU ${b.cpu.toFixed(0)} µs/req) | ` +
        `verify floor ${f.rps.toFixed(0)} req/s (${f.cpu.toFixed(0)} µs/req) | ${adapter} ${m.rps.toFixed(0)} req/s (${m.cpu.toFixed(0)} µs/req)`,
    );
    if (values.verbose) console.log(`    p99: bare ${b.p99} ms, floor ${f.p99} ms, ${adapter} ${m.p99} ms; ${m.completed} events processed so far`);
  }
  for (const server of Object.values(servers)) {
    server.child.kill();
    await once(server.child, 'exit');
  }
  const mean = (list) => list.reduce((sum, r) => sum + r.rps, 0) / list.length;
  const median = (list) => list.sort((x, y) => x - y)[Math.floor(list.length / 2)];
  const ofFloor = median(runs.adapter.map((m, i) => m.rps / runs.floor[i].rps));
  const ofBare = median(runs.adapter.map((m, i) => m.rps / runs.bare[i].rps));
  const cpuPerRequest = (list) => list.reduce((sum, r) => sum + r.cpuMicros, 0) / list.reduce((sum, r) => sum + r.total, 0);
  const cpuOfFloor = median(runs.adapter.map((m, i) => runs.floor[i].cpu / m.cpu));
  const pass = rounds >= 5 && ofFloor >= 0.95;
  console.log(`bare ${framework} route (reads raw body, 200): ${mean(runs.bare).toFixed(0)} req/s`);
  console.log(`verify floor (bare + HMAC + compare + JSON.parse): ${mean(runs.floor).toFixed(0)} req/s, ${((mean(runs.floor) / mean(runs.bare)) * 100).toFixed(1)}% of bare`);
  console.log(`${framework} + ${adapter} + memoryStore: ${mean(runs.adapter).toFixed(0)} req/s, median ${(ofBare * 100).toFixed(1)}% of bare`);
  console.log(
    `server CPU per request: bare ${cpuPerRequest(runs.bare).toFixed(0)} µs, floor ${cpuPerRequest(runs.floor).toFixed(0)} µs, ` +
      `${adapter} ${cpuPerRequest(runs.adapter).toFixed(0)} µs (${((cpuPerRequest(runs.floor) / cpuPerRequest(runs.adapter)) * 100).toFixed(1)}% of the floor; median of rounds ${(cpuOfFloor * 100).toFixed(1)}%)`,
  );
  console.log(`ratio: median of ${rounds} rounds ${(ofFloor * 100).toFixed(1)}% of the verify floor (budget >= 95%, >= 5 rounds) ${pass ? 'PASS' : 'MISS'}`);
  if (!pass) process.exitCode = 1;
}

/** The `--instructions` run: every server under callgrind at once (counts do not depend on load). */
async function countInstructions({ values, load, startServer, framework, adapter }) {
  const unavailable = instructionCountUnavailable();
  if (unavailable) throw new Error(`--instructions needs valgrind: ${unavailable}`);
  const warmupRequests = Number(values['warmup-requests']);
  const window = Number(values.window);
  const windows = Number(values.windows);
  const out = callgrindOutDir();
  try {
    console.log(
      `${framework} adapter bench, instructions: callgrind (user space, every thread), ${windows} windows of ${window} requests ` +
        `per server after ${warmupRequests} warm-up requests, ${values.connections} connections; 1 KiB signed deliveries, unique ids`,
    );
    const kinds = ['bare', 'floor', 'adapter'];
    const counts = await Promise.all(
      kinds.map(async (kind) => {
        const server = await startServer(kind, out.dir);
        answeredAll(await load(server.port, { amount: warmupRequests }), kind);
        const perWindow = [];
        for (let i = 0; i < windows; i++) {
          const send = async () => answeredAll(await load(server.port, { amount: window }), kind);
          perWindow.push(await instructionsPerRequest(server.child.pid, out.dir, send));
        }
        server.child.kill();
        await once(server.child, 'exit');
        return perWindow;
      }),
    );
    const [bare, floor, ours] = counts;
    const format = (list) => list.map((n) => Math.round(n).toLocaleString('en-US')).join(' / ');
    const mean = (list) => list.reduce((sum, n) => sum + n, 0) / list.length;
    console.log(`instructions per request: bare ${format(bare)} | verify floor ${format(floor)} | ${adapter} ${format(ours)}`);
    console.log(
      `${adapter} executes ${((mean(ours) / mean(floor)) * 100).toFixed(1)}% of the floor's instructions (floor / ${adapter}: ` +
        `${((mean(floor) / mean(ours)) * 100).toFixed(1)}%); not the budget's measure (requests per second), but free of the machine's load`,
    );
  } finally {
    out.remove();
  }
}

// A round or a window counts only if every request was answered 2xx: a failing server would look
// cheap. Returns how many were answered.
function answeredAll(result, kind) {
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${kind}: ${failed} requests were not answered 2xx`);
  return result.requests.total;
}
