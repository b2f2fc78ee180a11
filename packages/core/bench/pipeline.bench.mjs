// Pipeline benchmark (issue 3): memory-store claim + complete per event, handle() overhead over
// verifySync alone, and heap after a flood of unique ids. Run by `pnpm bench` after a build.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createWebhooks, memoryStore, sign, verifySync } from '../dist/node/index.js';

// A real collection before each heap reading, without requiring --expose-gc on the command line.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const secret = 'whsec_bench_pipeline';
const body = Buffer.from(
  JSON.stringify({
    id: 'evt_bench',
    type: 'fine_tune.completed',
    created: new Date().toISOString(),
    data: { id: 'ft-bench', status: 'completed', model: 'meta-llama/Llama-3-8b', padding: 'x'.repeat(760) },
  }),
);

/** Median ns per op over several rounds, after a warmup. */
async function measure(fn, { ops = 20_000, rounds = 7 } = {}) {
  for (let i = 0; i < ops; i++) await fn(i);
  const samples = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < ops; i++) await fn(round * ops + i);
    samples.push(Number(process.hrtime.bigint() - start) / ops);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(rounds / 2)];
}

function measureSync(fn, { ops = 20_000, rounds = 7 } = {}) {
  for (let i = 0; i < ops; i++) fn(i);
  const samples = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < ops; i++) fn(i);
    samples.push(Number(process.hrtime.bigint() - start) / ops);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(rounds / 2)];
}

const rows = [];

// 1. heap after (first, so no other case's garbage is counted) one million unique events with maxEntries 100 000.
{
  const store = memoryStore({ maxEntries: 100_000 });
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 1_000_000; i++) {
    const key = `together:event:evt_${i}`;
    const claim = await store.claim(key, 60_000);
    await store.complete(key, claim.token, 604_800_000);
  }
  gc();
  const after = process.memoryUsage().heapUsed;
  const mib = (after - before) / 1024 / 1024;
  // Touch the store after the reading, so the collector cannot free it early.
  if ((await store.claim('together:event:evt_999999', 1)).state !== 'completed') throw new Error('newest record evicted');
  rows.push(['heap growth, 1M unique events, maxEntries 100k', `${mib.toFixed(1)} MiB`, 'bounded (≈100k records)', mib < 64 ? 'PASS' : 'MISS']);
}

// 2. claim + complete on the memory store, unique keys.
{
  const store = memoryStore();
  let n = 0;
  const ns = await measure(async () => {
    const key = `k${n++}`;
    const claim = await store.claim(key, 60_000);
    await store.complete(key, claim.token, 604_800_000);
  });
  rows.push(['memory store claim + complete', `${(ns / 1000).toFixed(2)} µs/event`, 'budget < 2 µs', ns < 2000 ? 'PASS' : 'MISS']);
}

// 2b. The same with 50 000 live claims held (spec 9: the cost must not grow with them), in a store
// at its default bound, so every completion past the first 50 000 also evicts the oldest record.
{
  const store = memoryStore();
  for (let i = 0; i < 50_000; i++) await store.claim(`live${i}`, 3_600_000);
  let n = 0;
  const ns = await measure(async () => {
    const key = `k${n++}`;
    const claim = await store.claim(key, 60_000);
    await store.complete(key, claim.token, 604_800_000);
  });
  if ((await store.claim('live0', 1)).state !== 'in_progress') throw new Error('a live claim was evicted');
  rows.push(['memory store claim + complete, 50 000 live claims', `${(ns / 1000).toFixed(2)} µs/event`, 'budget < 2 µs', ns < 2000 ? 'PASS' : 'MISS']);
}

// 3. handle() of a 1 KiB delivery (new id each time) vs verifySync alone on the same bytes.
{
  const headers = sign(body, { secret });
  const verifyNs = measureSync(() => verifySync({ body, headers }, { secret }));
  // Distinct ids need distinct bodies; sign them up front so signing is not measured.
  const deliveries = Array.from({ length: 20_000 }, (_, i) => {
    const unique = Buffer.from(body.toString().replace('evt_bench', `evt_${String(i).padStart(9, '0')}`));
    return { body: unique, headers: sign(unique, { secret }) };
  });
  const webhooks = createWebhooks({ secret, store: memoryStore() });
  webhooks.on('fine_tune.completed', () => undefined);
  const handleNs = await measure(
    async (i) => {
      const result = await webhooks.handle(deliveries[i % deliveries.length]);
      if (result.status !== 200) throw new Error(`unexpected ${result.outcome}`);
    },
    { ops: deliveries.length, rounds: 5 },
  );
  rows.push(['verifySync 1 KiB (node build)', `${(verifyNs / 1000).toFixed(2)} µs`, '', '']);
  rows.push([
    'handle() 1 KiB, memory store, new events',
    `${(handleNs / 1000).toFixed(2)} µs`,
    `${(handleNs / verifyNs).toFixed(2)}x verifySync`,
    '',
  ]);
}

console.log('\n## Pipeline (core)\n');
console.log('| case | result | compared with | budget |');
console.log('|---|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
