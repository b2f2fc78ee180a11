/**
 * Queue mode with real processes on real redis-servers: receivers (Express, `bullmqQueue`) and
 * workers (`createBullmqWorker` over `redisStore`) as separate node processes. A fleet handles
 * every event once; a worker SIGKILLed mid-handler loses nothing; a Redis SIGKILLed while
 * deliveries arrive is answered 503 queue_unavailable, and every 202 is processed after restart.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TogetherEvent } from '@x/together-webhooks-core';
import { post, signedDelivery, makeEvent, TEST_SECRET, type Answer } from '@x/together-webhooks-test-support';
import { redisServerAvailable, startRedis, type RedisServer } from '@x/together-webhooks-test-support/redis-server';
import { bullmqQueue, jobIdFor } from '@x/together-webhooks-bullmq';
import { countLines, startFixture } from './support/processes.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean | Promise<boolean>, what: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what()}`);
    await sleep(50);
  }
}

/** A batch.completed event whose data tells the worker fixture how long to work (`workMs`). */
function event(id: string, data: Record<string, unknown> = {}): Record<string, unknown> {
  const base = makeEvent({ id, type: 'batch.completed' });
  return { ...base, data: { ...(base.data as Record<string, unknown>), ...data } };
}

describe.skipIf(!redisServerAvailable)('queue mode with real processes', () => {
  const servers: RedisServer[] = [];
  const queues: Queue[] = [];
  const redis = async (options: { persistent?: boolean } = {}) => {
    const server = await startRedis(options);
    servers.push(server);
    return server;
  };
  const queueOn = (server: RedisServer, name: string) => {
    const queue = new Queue(name, { connection: { host: '127.0.0.1', port: server.port, enableOfflineQueue: false } });
    queue.on('error', () => undefined);
    queues.push(queue);
    return queue;
  };
  const startWorker = (queue: RedisServer, store: RedisServer, queueName: string, env: Record<string, string> = {}) =>
    startFixture('worker-process.mjs', { QUEUE_PORT: String(queue.port), STORE_PORT: String(store.port), QUEUE_NAME: queueName, ...env }, /^ready$/);
  const startReceiver = async (queue: RedisServer, queueName: string, env: Record<string, string> = {}) => {
    const child = await startFixture('receiver-process.mjs', { QUEUE_PORT: String(queue.port), QUEUE_NAME: queueName, SECRET: TEST_SECRET, ...env }, /^listening /);
    return { child, url: (await child.waitForLine(/^listening /)).split(' ')[1]! };
  };
  const drained = async (queue: Queue) => {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
    return Object.values(counts).every((n) => n === 0);
  };

  afterEach(async () => {
    await Promise.all(queues.splice(0).map((queue) => queue.close().catch(() => undefined)));
  });
  afterAll(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  it('4 receivers and 3 workers, 50 ids x 6 interleaved deliveries: every id handled once, nothing left or failed', async () => {
    const server = await redis();
    const queueName = `fleet-${randomUUID()}`;
    const receivers = await Promise.all(Array.from({ length: 4 }, () => startReceiver(server, queueName)));
    const workers = await Promise.all(Array.from({ length: 3 }, () => startWorker(server, server, queueName)));
    const ids = Array.from({ length: 50 }, (_, i) => `evt_fleet_${i}_${randomUUID().slice(0, 8)}`);
    const deliveries = ids.map((id) => signedDelivery({ event: event(id, { workMs: 30 }) }));
    // Round after round, each delivery of every id goes to the next receiver: copies arrive while earlier ones run.
    const answers: Answer[] = [];
    for (let round = 0; round < 6; round++) {
      answers.push(
        ...(await Promise.all(deliveries.map((delivery, i) => post(receivers[(i + round) % receivers.length]!.url, delivery.body, delivery.headers)))),
      );
    }
    expect(answers.filter((answer) => answer.status === 202 && answer.body.outcome === 'queued')).toHaveLength(300);
    const queue = queueOn(server, queueName);
    await waitFor(
      async () => countLines(workers, 'done').size === ids.length && (await drained(queue)),
      () => `${countLines(workers, 'done').size} of ${ids.length} handled`,
    );
    await sleep(500);
    const runs = countLines(workers, 'start');
    expect(ids.filter((id) => runs.get(id) !== 1)).toEqual([]);
    expect(await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed')).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0, completed: 50 });
  });

  it('a worker SIGKILLed in the middle of a 2 s handler: the job is redelivered after the stall interval and runs to success once more', async () => {
    const server = await redis();
    const queueName = `kill-${randomUUID()}`;
    const env = { LEASE_MS: '3000', STALLED_MS: '1000' };
    const first = await startWorker(server, server, queueName, env);
    const id = `evt_kill_${randomUUID().slice(0, 8)}`;
    const queue = queueOn(server, queueName);
    await bullmqQueue({ queue }).enqueue(event(id, { workMs: 2000 }) as unknown as TogetherEvent);
    await first.waitForLine(new RegExp(`^start ${id}$`));
    await first.kill();
    const second = await startWorker(server, server, queueName, env);
    await second.waitForLine(new RegExp(`^done ${id}$`), 60_000);
    const all = [first, second];
    expect(countLines(all, 'start').get(id)).toBe(2);
    expect(countLines(all, 'done').get(id)).toBe(1);
    expect(countLines([first], 'done').get(id)).toBeUndefined();
    await waitFor(() => drained(queue), () => 'the queue never drained');
    const job = await queue.getJob(jobIdFor(id));
    expect(await job?.getState()).toBe('completed');
    expect(job?.returnvalue).toBe('processed');
  });

  it('a job BullMQ fails by itself (stalled more than maxStalledCount) is reported through onError once, naming the job and the event', async () => {
    const server = await redis();
    const queueName = `stall-limit-${randomUUID()}`;
    // maxStalledCount 0: the first stall is one too many, so BullMQ fails the job, not the router.
    const env = { LEASE_MS: '3000', STALLED_MS: '1000', MAX_STALLED: '0' };
    const first = await startWorker(server, server, queueName, env);
    const id = `evt_stall_${randomUUID().slice(0, 8)}`;
    const queue = queueOn(server, queueName);
    await bullmqQueue({ queue }).enqueue(event(id, { workMs: 10_000 }) as unknown as TogetherEvent);
    await first.waitForLine(new RegExp(`^start ${id}$`));
    await first.kill();
    const second = await startWorker(server, server, queueName, env);
    await waitFor(async () => (await queue.getJobCounts('failed')).failed === 1, () => 'the stalled job never reached the failed set');
    const job = await queue.getJob(jobIdFor(id));
    expect(job?.failedReason).toBe('job stalled more than allowable limit');
    await second.waitForLine(new RegExp(`^error adapter failed ${id} `));
    // Time for a second report, if there were one.
    await sleep(1500);
    const reports = second.lines().filter((line) => line.startsWith('error '));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(new RegExp(`^error adapter failed ${id} job ${jobIdFor(id)} of queue ${queueName} failed in BullMQ: job stalled more than allowable limit`));
    expect(countLines([first, second], 'start').get(id)).toBe(1);
  });

  it('Redis SIGKILLed while deliveries arrive: 503 queue_unavailable with Retry-After, never a 202 for what was not enqueued; every 202 processed after the restart', async () => {
    const queueServer = await redis({ persistent: true });
    const storeServer = await redis();
    const queueName = `outage-${randomUUID()}`;
    const receiver = await startReceiver(queueServer, queueName, { ENQUEUE_TIMEOUT_MS: '500' });
    const worker = await startWorker(queueServer, storeServer, queueName);

    const answers = new Map<string, Answer[]>();
    const send = async (id: string) => {
      const delivery = signedDelivery({ event: event(id) });
      const answer = await post(receiver.url, delivery.body, delivery.headers);
      answers.set(id, [...(answers.get(id) ?? []), answer]);
      return answer;
    };
    const ids: string[] = [];
    let sending = true;
    const sender = (async () => {
      for (let i = 0; sending; i++) {
        const id = `evt_outage_${i}_${randomUUID().slice(0, 8)}`;
        ids.push(id);
        await send(id);
        await sleep(5);
      }
    })();
    await waitFor(() => ids.length > 40, () => 'the sender never got going');
    await queueServer.kill();
    const killedAt = ids.length;
    await waitFor(() => ids.length > killedAt + 20, () => 'no answers during the outage');
    await queueServer.restart();
    const restartedAt = ids.length;
    await waitFor(() => [...answers.values()].filter((list) => list[0]!.status === 202).length > restartedAt + 20, () => 'no 202 after the restart', 30_000);
    sending = false;
    await sender;

    const first = ids.map((id) => answers.get(id)![0]!);
    const refused = first.filter((answer) => answer.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of first) {
      if (answer.status === 503) {
        expect(answer.body).toMatchObject({ ok: false, outcome: 'queue_unavailable' });
        expect(answer.headers.get('retry-after')).toBe('5');
      } else {
        expect(answer).toMatchObject({ status: 202, body: { outcome: 'queued' } });
      }
    }
    // The sender retries what was refused, as it is told to.
    for (const id of ids.filter((candidate) => answers.get(candidate)![0]!.status === 503)) {
      expect((await send(id)).status).toBe(202);
    }
    const queue = queueOn(queueServer, queueName);
    await waitFor(
      async () => ids.every((id) => countLines([worker], 'done').get(id) === 1) && (await drained(queue)),
      () => `${ids.filter((id) => countLines([worker], 'done').get(id) !== 1).length} of ${ids.length} not handled once`,
    );
    const runs = countLines([worker], 'start');
    expect(ids.filter((id) => runs.get(id) !== 1)).toEqual([]);
    expect(receiver.child.lines().some((line) => line.startsWith('error enqueue '))).toBe(true);
  });
});
