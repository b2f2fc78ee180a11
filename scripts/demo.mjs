// pnpm demo: starts the Express example on a free loopback port (memory store) and sends it real,
// signed HTTP deliveries, one of each case the SDK decides. Prints what came back and exits 1 if
// anything differs from the expected column. Needs the packages built (pnpm build).
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { start } from '../examples/express/src/app.js';
import { sampleEvent, send, signedDelivery } from '../examples/express/src/deliveries.js';

const secret = `whsec_demo_${randomBytes(12).toString('hex')}`;
const verbose = process.argv.includes('--verbose');
const appLog = [];
const { webhooks, url, close } = await start({ secret, log: (line) => (verbose ? console.log(`  [app] ${line}`) : appLog.push(line)) });

// Handler runs per event id, counted by handlers the demo adds beside the example's own.
const runs = new Map();
const ran = (id) => runs.set(id, (runs.get(id) ?? 0) + 1);
const slow = new Set();
webhooks.on('batch.completed', (event) => {
  ran(event.id);
  if (runs.get(event.id) === 1) throw new Error('simulated outage: the first attempt fails');
});
webhooks.onAny(async (event) => {
  if (event.type === 'batch.completed') return;
  ran(event.id);
  // Long enough that concurrent copies arrive while the claim is held.
  if (slow.has(event.id)) await new Promise((resolve) => setTimeout(resolve, 150));
});

const rows = [];
const tally = (values) => {
  const counts = new Map();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, n]) => (values.length > 1 ? `${value} x${n}` : String(value))).join(', ');
};
const outcomeOf = (body) => (body.outcome === 'rejected' ? `rejected (${body.error})` : body.outcome);

async function row(label, expected, id, deliveries, check) {
  const answers = await Promise.all(deliveries.map((delivery) => send(url, delivery)));
  const statuses = answers.map((a) => a.status);
  const outcomes = answers.map((a) => outcomeOf(a.body));
  const handlerRuns = runs.get(id) ?? 0;
  const ok = check(answers, handlerRuns);
  rows.push({ label, status: tally(statuses), outcome: tally(outcomes), runs: String(handlerRuns), expected, ok });
}
const exactly = (status, outcome, handlerRuns) => (answers, actualRuns) =>
  answers.length === 1 && answers[0].status === status && outcomeOf(answers[0].body) === outcome && actualRuns === handlerRuns;

const first = signedDelivery({ secret, event: sampleEvent('fine_tune.completed') });
await row('fine_tune.completed, valid', '200 processed, 1 run', first.id, [first], exactly(200, 'processed', 1));
await row('the same delivery again', '200 duplicate, still 1 run', first.id, [first], exactly(200, 'duplicate', 1));

const burst = signedDelivery({ secret, event: sampleEvent('fine_tune.completed') });
slow.add(burst.id);
await row('20 concurrent copies of a new event', '1 processed, 19 duplicate/in_progress (409), 1 run', burst.id, Array(20).fill(burst), (answers, actualRuns) => {
  const processed = answers.filter((a) => a.body.outcome === 'processed' && a.status === 200).length;
  const others = answers.filter(
    (a) => (a.body.outcome === 'duplicate' && a.status === 200) || (a.body.outcome === 'in_progress' && a.status === 409 && a.retryAfter !== null),
  ).length;
  return processed === 1 && others === 19 && actualRuns === 1;
});

const tampered = signedDelivery({ secret, event: sampleEvent('fine_tune.completed') });
await row('tampered body', '401 signature_mismatch, 0 runs', tampered.id, [{ ...tampered, body: tampered.body.replace('"completed"', '"cancelled"') }], exactly(401, 'rejected (signature_mismatch)', 0));

const stale = signedDelivery({ secret, event: sampleEvent('fine_tune.completed'), timestamp: Math.floor(Date.now() / 1000) - 3600 });
await row('timestamp an hour old', '401 timestamp_too_old, 0 runs', stale.id, [stale], exactly(401, 'rejected (timestamp_too_old)', 0));

const unknown = signedDelivery({ secret, event: sampleEvent('model.quantized') });
await row('unknown type (model.quantized)', '200 processed by onAny, 1 run', unknown.id, [unknown], exactly(200, 'processed', 1));

const flaky = signedDelivery({ secret, event: sampleEvent('batch.completed') });
await row('batch.completed, handler throws', '500 failed, 1 run', flaky.id, [flaky], exactly(500, 'failed', 1));
await row("  the sender's retry", '200 processed, 2 runs', flaky.id, [flaky], exactly(200, 'processed', 2));

// Queue mode (spec 13), when Redis answers at REDIS_URL (default 127.0.0.1:6379): a receiver that
// answers 202 at once and a BullMQ worker that runs a 10 s handler, once. A queue of this run's own.
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
if (await reachable(redisUrl)) {
  process.env.QUEUE_NAME = `together-demo-${randomBytes(6).toString('hex')}`;
  const { startReceiver, startWorker } = await import('../examples/queue/src/index.js');
  const queueLog = (line) => (verbose ? console.log(`  [queue] ${line}`) : appLog.push(line));
  const slowHandlerMs = 10_000;
  // The 202 is one loopback request and one Redis write: a few ms (8 ms measured here). 250 ms,
  // not 100, because this is the process's first request to the receiver (cold JIT, a new
  // connection) and a loaded 2-core machine can stall it by tens of ms; it is still 40 times
  // under the handler's 10 s, so an answer that waited for the handler fails.
  const answerBoundMs = 250;
  const slow = signedDelivery({ secret, event: sampleEvent('batch.completed') });
  let started = 0;
  let finished = 0;
  const worker = await startWorker({
    redisUrl,
    slowHandlerMs,
    log: (line) => {
      if (line.startsWith(`started batch.completed ${slow.id}:`)) started += 1;
      if (line === `finished batch.completed ${slow.id}`) finished += 1;
      queueLog(line);
    },
  });
  // Settles when BullMQ finishes the job (no polling: the row costs the handler's 10 s, no more).
  const jobDone = new Promise((resolve) => {
    const timer = setTimeout(() => resolve('not finished in time'), slowHandlerMs + 20_000);
    const settle = (state) => (job, value) => {
      if (job?.data?.id !== slow.id) return;
      clearTimeout(timer);
      resolve(state === 'completed' ? value : `failed: ${value?.message}`);
    };
    const bullmqWorker = worker.worker.worker; // the example's { worker } is createBullmqWorker's, whose .worker is BullMQ's
    bullmqWorker.on('completed', settle('completed'));
    bullmqWorker.on('failed', settle('failed'));
  });
  const receiver = await startReceiver({ secret, redisUrl, log: queueLog });
  const sentAt = performance.now();
  const answer = await send(receiver.url, slow);
  const answerMs = performance.now() - sentAt;
  const jobOutcome = await jobDone;
  // Nothing else in this run's queue: no second run is waiting or delayed.
  const left = await receiver.queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
  rows.push({
    label: `slow handler (${slowHandlerMs / 1000} s), queue mode (BullMQ)`,
    status: String(answer.status),
    outcome: `${outcomeOf(answer.body)} in ${answerMs.toFixed(0)} ms`,
    runs: String(finished),
    expected: `202 queued in < ${answerBoundMs} ms, 1 run by the worker`,
    ok:
      answer.status === 202 &&
      answer.body.outcome === 'queued' &&
      answerMs < answerBoundMs &&
      jobOutcome === 'processed' &&
      started === 1 &&
      finished === 1 &&
      Object.values(left).every((n) => n === 0),
  });
  if (jobOutcome !== 'processed') appLog.push(`the queued job ended ${jobOutcome}`);
  await receiver.close();
  await worker.close();
} else {
  console.log(`(the queue-mode row needs Redis at ${redisUrl}: skipped)`);
}

/** Whether something accepts TCP connections at the URL's host and port. */
function reachable(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

await close();

const header = { label: 'delivery', status: 'HTTP status', outcome: 'outcome', runs: 'handler runs', expected: 'expected', ok: '' };
const columns = ['label', 'status', 'outcome', 'runs', 'expected'];
const widths = Object.fromEntries(columns.map((c) => [c, Math.max(...[header, ...rows].map((r) => String(r[c]).length))]));
const line = (r, mark) => `${mark} ${columns.map((c) => String(r[c]).padEnd(widths[c])).join(' | ')}`.trimEnd();
console.log(`Express example at ${url} (memory store)\n`);
console.log(line(header, ' '));
console.log(`  ${columns.map((c) => '-'.repeat(widths[c])).join('-+-')}`);
for (const r of rows) console.log(line(r, r.ok ? '✓' : '✗'));
console.log('\nUnknown event types still verify; the example registers an onAny logger, so they are');
console.log('processed by it (with no handler at all they would be answered 200 unhandled).');

const failed = rows.filter((r) => !r.ok);
if (failed.length > 0) {
  console.error(`\n${failed.length} row(s) differ from the expected column.`);
  if (!verbose) for (const entry of appLog) console.error(`  [app] ${entry}`);
  process.exitCode = 1;
} else {
  console.log(`\nAll ${rows.length} deliveries answered as expected.`);
}
