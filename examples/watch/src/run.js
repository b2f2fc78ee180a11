/**
 * Together AI's job API as webhooks, end to end: the watcher polls Together and forwards each job
 * state change as a signed delivery to the Express example, which verifies it, deduplicates it
 * and runs its handlers. Without TOGETHER_API_KEY, a fake Together API on 127.0.0.1 stands in and
 * plays a script of jobs; the run ends once every scripted event has been handled.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { DEV_SECRET, start as startExpressExample } from '@x/example-express';
import { watchTogetherJobs } from '@x/together-webhooks-watch';
import { startFakeTogetherApi } from '@x/together-webhooks-watch/testing';

/**
 * Scripts jobs on the fake API, one step every `stepMs`, and returns the ids of the events they
 * should produce (intermediate states such as `compressing` or `STARTING` produce none).
 *
 * @param {import('@x/together-webhooks-watch/testing').FakeTogetherApi} api
 * @param {number} stepMs
 */
function scriptJobs(api, stepMs) {
  const fineTune = String(api.create('fine_tune').id);
  const batch = String(api.create('batch').id);
  const endpoint = String(api.create('endpoint').id);
  const evaluation = String(api.create('evaluation').workflow_id);
  const video = String(api.create('video').id);
  // Each step also waits until the watcher has read the job twice since its last change, so a
  // slow machine makes the script slower instead of making the watcher miss a state.
  const steps = (...states) => states.map((state) => ({ afterMs: stepMs, state, afterReads: 2 }));
  const done = Promise.all([
    api.play('fine_tune', fineTune, steps('queued', 'running', 'compressing', 'completed')),
    api.play('batch', batch, steps('IN_PROGRESS', 'FAILED')),
    api.play('endpoint', endpoint, steps('STARTING', 'STARTED')),
    api.play('evaluation', evaluation, steps('running', 'completed')),
    api.play('video', video, steps('completed')),
  ]);
  const expected = [
    ...['pending', 'queued', 'running', 'completed'].map((state) => `fine_tune:${fineTune}:${state}`),
    ...['VALIDATING', 'IN_PROGRESS', 'FAILED'].map((state) => `batch:${batch}:${state}`),
    `endpoint:${endpoint}:STARTED`,
    `evaluation:${evaluation}:completed`,
    `video:${video}:completed`,
  ];
  return { expected, video, done };
}

/**
 * Runs the example.
 *
 * @param {{ apiKey?: string, log?: (line: string) => void, intervalMs?: number, stepMs?: number, maxSeconds?: number, signal?: AbortSignal }} [options]
 * @returns {Promise<{ received: string[], expected: string[] | undefined, complete: boolean, apiRequests: number | undefined }>}
 */
export async function run(options = {}) {
  const { apiKey = process.env.TOGETHER_API_KEY, log = console.log, signal } = options;
  const live = Boolean(apiKey);
  const fake = live ? undefined : await startFakeTogetherApi();
  const script = fake ? scriptJobs(fake, options.stepMs ?? 600) : undefined;
  const intervalMs = options.intervalMs ?? (live ? 30_000 : 250);
  const maxSeconds = options.maxSeconds ?? (live ? 120 : 30);

  const secret = process.env.TOGETHER_WEBHOOK_SECRET ?? DEV_SECRET;
  const receiver = await startExpressExample({ port: 0, secret, log: (line) => log(`[express] ${line}`) });
  const received = [];
  receiver.webhooks.onAny((event) => {
    received.push(event.id);
  });

  const watcher = watchTogetherJobs({
    ...(fake ? { apiKey: fake.apiKey, baseURL: fake.baseURL } : { apiKey }),
    deliver: { url: receiver.url, secret },
    intervalMs,
    onError: (error, { phase }) => log(`[watch] ${phase} error: ${error instanceof Error ? error.message : String(error)}`),
  });
  if (script) watcher.track('video', script.video);

  log(
    live
      ? `[watch] polling Together AI every ${intervalMs / 1000} s for ${maxSeconds} s (Ctrl-C stops)`
      : `[watch] no TOGETHER_API_KEY: a fake Together API at ${fake?.baseURL} plays ${script?.expected.length} transitions`,
  );
  log(`[watch] forwarding signed deliveries to ${receiver.url}`);
  await watcher.start();

  const deadline = Date.now() + maxSeconds * 1000;
  const finished = () => script !== undefined && script.expected.every((id) => received.includes(id));
  while (!finished() && Date.now() < deadline && !signal?.aborted) await delay(50);

  await watcher.stop();
  await receiver.close();
  const apiRequests = fake?.requestCount();
  await fake?.close();

  const complete = script ? finished() : true;
  if (script) {
    log(`[watch] ${received.length} events handled, ${script.expected.length} expected: ${complete ? 'all arrived' : 'some missing'}`);
    log(`[watch] ${apiRequests} requests to the fake Together API`);
  } else {
    log(`[watch] ${received.length} events handled`);
  }
  return { received, expected: script?.expected, complete, apiRequests };
}
