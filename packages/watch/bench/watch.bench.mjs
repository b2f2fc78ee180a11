// Watcher benchmark (issue 8): how late an event is (state change in the fake Together API →
// handler run) and how many API requests polling costs, measured against the fake on 127.0.0.1.
// Short intervals stand in for the 30 s default; the per-hour figures are scaled from what was
// measured. Run by `pnpm bench` after a build; about 15 s.
import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
import { fileWatchState, pollTogetherJobs, watchTogetherJobs } from '../dist/index.js';
import { startFakeTogetherApi } from '../dist/testing/index.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const silent = () => undefined;
/** Mean time between consecutive requests to `path`: one poll period. */
const meanGap = (api, path) => {
  const times = api.requests.filter((request) => request.path === path).map((request) => request.at);
  return (times.at(-1) - times[0]) / (times.length - 1);
};
const rows = [];

// 1. Latency: 24 jobs moving through their states at random times while a watcher polls every 200 ms.
{
  const intervalMs = 200;
  const jitter = 0.1;
  const api = await startFakeTogetherApi();
  const webhooks = createWebhooks({ secret: 'whsec_bench_watch', store: memoryStore() });
  const latencies = [];
  webhooks.onAny((event) => {
    const [resource, id, state] = event.id.split(':');
    const changedAt = api.changedAt(resource, id, state);
    if (event.id.endsWith(':queued') || event.id.endsWith(':running') || event.id.endsWith(':completed') || event.id.includes(':IN_PROGRESS') || event.id.includes(':COMPLETED')) {
      latencies.push(Date.now() - changedAt);
    }
  });
  const watcher = watchTogetherJobs({
    apiKey: api.apiKey,
    baseURL: api.baseURL,
    deliver: webhooks,
    resources: ['fine_tune', 'batch'],
    intervalMs,
    jitter,
    onError: silent,
  });
  await watcher.start();
  const random = (min, max) => min + Math.random() * (max - min);
  const plays = [];
  for (let i = 0; i < 12; i++) {
    const fineTune = String(api.create('fine_tune').id);
    plays.push(
      api.play('fine_tune', fineTune, [
        { afterMs: random(300, 1500), state: 'queued' },
        { afterMs: random(300, 1500), state: 'running' },
        { afterMs: random(300, 1500), state: 'completed' },
      ]),
    );
    const batch = String(api.create('batch').id);
    plays.push(
      api.play('batch', batch, [
        { afterMs: random(300, 2000), state: 'IN_PROGRESS' },
        { afterMs: random(300, 2000), state: 'COMPLETED' },
      ]),
    );
  }
  await Promise.all(plays);
  await sleep(intervalMs * 2);
  await watcher.stop();
  const period = meanGap(api, '/v1/batches');
  await api.close();
  latencies.sort((a, b) => a - b);
  const mean = latencies.reduce((sum, value) => sum + value, 0) / latencies.length;
  const wait = intervalMs * (1 + jitter / 2);
  rows.push([
    `event latency, ${latencies.length} transitions, interval ${intervalMs} ms, jitter ${jitter}`,
    `mean ${mean.toFixed(0)} ms, p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms, max ${latencies.at(-1)} ms`,
    `one poll period (mean wait ${wait} ms + round ${(period - wait).toFixed(0)} ms) = ${period.toFixed(0)} ms: mean ≈ half of it, max ≈ ${(intervalMs * (1 + jitter)).toFixed(0)} ms + a round`,
  ]);
  const overhead = mean - period / 2;
  rows.push([
    'same at the 30 s default (projected)',
    `mean ≈ ${(30 * (1 + jitter / 2) / 2 + overhead / 1000).toFixed(1)} s, max ≈ ${(30 * (1 + jitter)).toFixed(0)} s + a round`,
    'a change waits for the next poll: at most intervalMs × (1 + jitter) plus one round',
  ]);
}

// 2. Requests: the five listed resources and two tracked videos that never finish, nothing changing, 5 s.
{
  const intervalMs = 100;
  const jitter = 0.1;
  const api = await startFakeTogetherApi();
  for (const resource of ['fine_tune', 'batch', 'endpoint', 'evaluation', 'model_upload']) for (let i = 0; i < 5; i++) api.create(resource);
  const videos = [String(api.create('video').id), String(api.create('video').id)];
  const webhooks = createWebhooks({ secret: 'whsec_bench_watch', store: memoryStore() });
  const watcher = watchTogetherJobs({ apiKey: api.apiKey, baseURL: api.baseURL, deliver: webhooks, intervalMs, jitter, onError: silent });
  for (const id of videos) watcher.track('video', id);
  await watcher.start();
  // Count after the first round: it also retrieves each new fine-tune and endpoint once.
  const from = api.requestCount();
  const polledFrom = api.requestCount('/v1/batches');
  const startedAt = Date.now();
  await sleep(5_000);
  const seconds = (Date.now() - startedAt) / 1000;
  const requests = api.requestCount() - from;
  const polls = api.requestCount('/v1/batches') - polledFrom;
  await watcher.stop();
  const period = meanGap(api, '/v1/batches');
  await api.close();
  const perPoll = requests / polls;
  const measuredPerHour = (requests / seconds) * 3600;
  const formulaPerHour = (perPoll * 3_600_000) / period;
  rows.push([
    `API requests, 5 resources + 2 tracked videos, interval ${intervalMs} ms`,
    `${requests} in ${seconds.toFixed(1)} s: ${perPoll.toFixed(2)} per poll, ${Math.round(measuredPerHour).toLocaleString('en-US')}/h`,
    `(5 + 2) per poll × 3 600 000 / period ${period.toFixed(0)} ms (wait ${intervalMs * (1 + jitter / 2)} + round) = ${Math.round(formulaPerHour).toLocaleString('en-US')}/h`,
  ]);
  const roundMs = period - intervalMs * (1 + jitter / 2);
  const atDefault = (perPoll * 3_600_000) / (30_000 * (1 + jitter / 2) + roundMs);
  rows.push([
    'same at the 30 s default (projected)',
    `≈ ${Math.round(atDefault)}/h (5 resources alone ≈ ${Math.round((5 * 3_600_000) / (30_000 * (1 + jitter / 2) + roundMs))}/h, ${Math.round(3_600_000 / (30_000 * (1 + jitter / 2) + roundMs))}/h each)`,
    '≤ 120/h per listed resource and per tracked job (no jitter); +1 per fine-tune or endpoint change',
  ]);
}

// 3. Cron mode: one pollTogetherJobs per invocation, the state in a file; 50 jobs of each resource.
{
  const { mkdtemp, rm, stat } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const api = await startFakeTogetherApi();
  for (const resource of ['fine_tune', 'batch', 'endpoint', 'evaluation', 'model_upload']) for (let i = 0; i < 50; i++) api.create(resource);
  const dir = await mkdtemp(join(tmpdir(), 'watch-bench-'));
  const path = join(dir, 'state.json');
  const webhooks = createWebhooks({ secret: 'whsec_bench_watch', store: memoryStore() });
  const invoke = () => pollTogetherJobs({ apiKey: api.apiKey, baseURL: api.baseURL, deliver: webhooks, state: fileWatchState(path), onError: silent });
  const first = await invoke();
  const firstBytes = (await stat(path)).size;
  const quiet = await invoke();
  const batch = String(api.create('batch').id);
  api.set('batch', batch, 'COMPLETED');
  const changed = await invoke();
  const changedBytes = (await stat(path)).size;
  rows.push([
    'cron mode (pollTogetherJobs + fileWatchState), 250 jobs over 5 resources: a first invocation',
    `${first.requests} requests, ${first.announced} announced, state written: ${firstBytes.toLocaleString('en-US')} bytes`,
    'one list per resource, one retrieve per fine-tune and endpoint announced; one write',
  ]);
  rows.push([
    'cron mode, nothing changed',
    `${quiet.requests} requests, ${quiet.announced} announced, state written: ${quiet.stateWritten ? 'yes' : 'nothing'}`,
    '5 requests (one list per resource), no write',
  ]);
  rows.push([
    'cron mode, one new batch',
    `${changed.requests} requests, ${changed.announced} announced, ${changed.delivered} delivered, state written: ${changedBytes.toLocaleString('en-US')} bytes`,
    '5 requests, one write of the whole state (≈ 70 bytes per job)',
  ]);
  await rm(dir, { recursive: true, force: true });
  await api.close();
}

console.log('\n## Watcher (watch)\n');
console.log('| case | measured | expected |');
console.log('|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
