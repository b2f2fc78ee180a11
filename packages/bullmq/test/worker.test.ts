/**
 * `bullmqQueue` and `createBullmqWorker` in one process against a real redis-server: job ids, a
 * re-delivery while queued or failed, the failed set, a job that holds no event, the close bound, options.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEventRouter, createWebhooks, memoryStore, type TogetherEvent, type WebhookErrorContext } from '@x/together-webhooks-core';
import { createSignedDelivery, createTestEvent } from '@x/together-webhooks-core/testing';
import { redisServerAvailable, startRedis, type RedisServer } from '@x/together-webhooks-test-support/redis-server';
import { bullmqQueue, createBullmqWorker, jobIdFor, type BullmqEventWorker, type BullmqWorkerOptions } from '@x/together-webhooks-bullmq';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('jobIdFor', () => {
  it.each([
    ['a watcher id', 'evt_01J9Z6W1', 'e_evt_01J9Z6W1'],
    ['digits only (BullMQ refuses integer ids)', '12345', 'e_12345'],
    ['dots and dashes', 'ft-6a1b.2', 'e_ft-6a1b.2'],
  ])('keeps %s readable', (_case, id, jobId) => {
    expect(jobIdFor(id)).toBe(jobId);
  });

  it.each([
    ['a colon (BullMQ refuses it)', 'evt:1'],
    ['201 characters', 'x'.repeat(201)],
    ['10 000 characters', 'y'.repeat(10_000)],
    ['non-ASCII', 'évènement'],
    ['a space', 'evt 1'],
  ])('digests an id with %s to a fixed-length id', (_case, id) => {
    const jobId = jobIdFor(id);
    expect(jobId).toMatch(/^h_[0-9a-f]{64}$/);
    expect(jobIdFor(id)).toBe(jobId);
  });

  it('keeps the two forms apart', () => {
    const digest = jobIdFor('evt:1');
    expect(jobIdFor(digest.slice(2))).not.toBe(digest);
    expect(() => jobIdFor('')).toThrow(TypeError);
  });
});

describe('options', () => {
  const router = createEventRouter();
  const connection = { host: '127.0.0.1', port: 1 };
  it.each([
    ['no router', () => createBullmqWorker({} as never, { queueName: 'q', connection }), /event router/],
    ['no queueName', () => createBullmqWorker(router, { queueName: '', connection }), /queueName/],
    ['no connection', () => createBullmqWorker(router, { queueName: 'q', connection: undefined as never }), /connection is required/],
    ['concurrency 0', () => createBullmqWorker(router, { queueName: 'q', connection, concurrency: 0 }), /concurrency/],
    ['attempts 0', () => createBullmqWorker(router, { queueName: 'q', connection, attempts: 0 }), /attempts/],
    ['a linear backoff', () => createBullmqWorker(router, { queueName: 'q', connection, backoff: { type: 'linear' as never, delay: 1 } }), /backoff/],
    ['a negative closeTimeoutMs', () => createBullmqWorker(router, { queueName: 'q', connection, closeTimeoutMs: -1 }), /closeTimeoutMs/],
    ['a queue that is no Queue', () => bullmqQueue({ queue: JSON.parse('{}') as Queue }), /BullMQ Queue/],
  ])('refuses %s at construction', (_case, make, message) => {
    expect(make).toThrow(message);
  });
});

describe.skipIf(!redisServerAvailable)('against redis-server', () => {
  let redis: RedisServer;
  let connection: { host: string; port: number };
  const queues: Queue[] = [];
  const workers: BullmqEventWorker[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    connection = { host: '127.0.0.1', port: redis.port };
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.close()));
    await Promise.all(queues.splice(0).map((queue) => queue.close()));
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const newQueue = () => {
    const queue = new Queue<TogetherEvent>(`worker-test-${randomUUID()}`, { connection });
    queues.push(queue);
    return queue;
  };
  const recordingRouter = () => {
    const errors: { error: unknown; context: WebhookErrorContext }[] = [];
    const router = createEventRouter({ store: memoryStore(), onError: (error, context) => errors.push({ error, context }) });
    return { router, errors };
  };
  const startWorker = async (router: ReturnType<typeof createEventRouter>, queue: Queue, options: Partial<BullmqWorkerOptions> = {}) => {
    const worker = createBullmqWorker(router, { queueName: queue.name, connection, backoff: { type: 'fixed', delay: 50 }, ...options });
    workers.push(worker);
    await worker.waitUntilReady();
    return worker;
  };
  const waitFor = async (condition: () => Promise<boolean> | boolean, what: string) => {
    const deadline = Date.now() + 20_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await sleep(25);
    }
  };

  it('adds one job per event id: a re-delivery while the job is queued adds nothing, any id length works', async () => {
    const queue = newQueue();
    const eventQueue = bullmqQueue({ queue });
    const long = createTestEvent('batch.completed', { id: `evt:${'z'.repeat(5000)}` });
    const plain = createTestEvent('batch.completed');
    for (const event of [plain, plain, long, long, plain]) await eventQueue.enqueue(event);
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 2 });
    const job = await queue.getJob(jobIdFor(long.id));
    expect(job?.data).toEqual(long);
    expect(job?.name).toBe('batch.completed');
  });

  it('finishes processed, duplicate and unhandled jobs, with the outcome as the return value', async () => {
    const queue = newQueue();
    const { router } = recordingRouter();
    router.on('batch.completed', () => undefined);
    const handled = createTestEvent('batch.completed');
    const unhandled = createTestEvent('fine_tune.completed');
    await router.dispatch(createTestEvent('batch.completed', { id: 'evt_already_done' }));
    const duplicate = createTestEvent('batch.completed', { id: 'evt_already_done' });
    for (const event of [handled, unhandled, duplicate]) await bullmqQueue({ queue }).enqueue(event);
    await startWorker(router, queue);
    await waitFor(async () => (await queue.getJobCounts('completed')).completed === 3, 'three completed jobs');
    const outcomes = await Promise.all([handled, unhandled, duplicate].map(async (event) => (await queue.getJob(jobIdFor(event.id)))?.returnvalue as unknown));
    expect(outcomes).toEqual(['processed', 'unhandled', 'duplicate']);
  });

  it('leaves an event whose handler always throws in the failed set after its attempts, reported through onError', async () => {
    const queue = newQueue();
    const { router, errors } = recordingRouter();
    let runs = 0;
    router.onAny(() => {
      runs++;
      throw new Error('always fails');
    });
    const event = createTestEvent('batch.failed');
    await bullmqQueue({ queue }).enqueue(event);
    await startWorker(router, queue, { attempts: 3 });
    await waitFor(async () => (await queue.getJobCounts('failed')).failed === 1, 'the job in the failed set');
    expect(runs).toBe(3);
    const job = await queue.getJob(jobIdFor(event.id));
    expect(await job?.getState()).toBe('failed');
    expect(job?.failedReason).toMatch(/answered failed on its last attempt \(3 of 3\)/);
    expect(errors.map(({ context }) => context.phase)).toEqual(['handler', 'handler', 'handler', 'adapter']);
    expect(errors.at(-1)).toMatchObject({ context: { outcome: 'failed', event: { id: event.id } } });
    expect(String((errors.at(-1)!.error as Error).message)).toMatch(/left in the failed set/);
  });

  it('reports a job BullMQ fails by itself (started more than maxStartedAttempts) once, with its event', async () => {
    const queue = newQueue();
    const { router, errors } = recordingRouter();
    let runs = 0;
    router.onAny(() => {
      runs++;
      throw new Error('always fails');
    });
    const event = createTestEvent('batch.failed');
    await bullmqQueue({ queue }).enqueue(event);
    // The router would retry up to 5 runs; BullMQ fails the third start first.
    await startWorker(router, queue, { attempts: 5, maxStartedAttempts: 2 });
    await waitFor(async () => (await queue.getJobCounts('failed')).failed === 1, 'the job in the failed set');
    await sleep(200);
    expect(runs).toBe(2);
    expect((await queue.getJob(jobIdFor(event.id)))?.failedReason).toBe('job started more than allowable limit');
    expect(errors.map(({ context }) => context.phase)).toEqual(['handler', 'handler', 'adapter']);
    expect(errors.at(-1)).toMatchObject({ context: { outcome: 'failed', event: { id: event.id } } });
    expect(String((errors.at(-1)!.error as Error).message)).toBe(
      `job ${jobIdFor(event.id)} of queue ${queue.name} failed in BullMQ: job started more than allowable limit: left in the failed set, retry it from there`,
    );
  });

  it('answers a re-delivery of an event whose job is in the failed set 202 queued, and adds nothing', async () => {
    const queue = newQueue();
    const { router, errors } = recordingRouter();
    let runs = 0;
    router.onAny(() => {
      runs++;
      throw new Error('always fails');
    });
    const event = createTestEvent('batch.failed');
    await bullmqQueue({ queue }).enqueue(event);
    await startWorker(router, queue, { attempts: 1 });
    await waitFor(async () => (await queue.getJobCounts('failed')).failed === 1, 'the job in the failed set');
    const before = (await queue.getJob(jobIdFor(event.id)))!;

    const secret = 'whsec_worker_test';
    const receiver = createWebhooks({ secret, queue: bullmqQueue({ queue }) });
    const answer = await receiver.handle(createSignedDelivery(event, { secret }));
    expect(answer).toMatchObject({ status: 202, outcome: 'queued', body: { ok: true, outcome: 'queued', id: event.id } });
    // Time for the worker to pick up anything the delivery might have added.
    await sleep(500);
    expect(await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed')).toEqual({ waiting: 0, active: 0, delayed: 0, completed: 0, failed: 1 });
    const after = (await queue.getJob(jobIdFor(event.id)))!;
    expect(await after.getState()).toBe('failed');
    expect({ attemptsStarted: after.attemptsStarted, failedReason: after.failedReason, finishedOn: after.finishedOn, timestamp: after.timestamp }).toEqual({
      attemptsStarted: before.attemptsStarted,
      failedReason: before.failedReason,
      finishedOn: before.finishedOn,
      timestamp: before.timestamp,
    });
    expect(runs).toBe(1);
    expect(errors.map(({ context }) => context.phase)).toEqual(['handler', 'adapter']);
  });

  it('fails a job that holds no event without retrying it, and reports it', async () => {
    const queue = newQueue();
    const { router, errors } = recordingRouter();
    await (queue as unknown as Queue<unknown>).add('junk', { not: 'an event' }, { jobId: 'junk-1' });
    await startWorker(router, queue);
    await waitFor(async () => (await queue.getJobCounts('failed')).failed === 1, 'the junk job in the failed set');
    const job = await queue.getJob('junk-1');
    expect(job?.attemptsStarted).toBe(1);
    expect(job?.failedReason).toMatch(/holds no event/);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.context).toMatchObject({ phase: 'adapter', outcome: 'failed' });
  });

  it('close() waits for a running handler that finishes within closeTimeoutMs', async () => {
    const queue = newQueue();
    const { router, errors } = recordingRouter();
    let started = false;
    let finished = false;
    router.onAny(async () => {
      started = true;
      await new Promise((resolve) => setTimeout(resolve, 200));
      finished = true;
    });
    await bullmqQueue({ queue }).enqueue(createTestEvent('batch.completed'));
    const worker = await startWorker(router, queue, { closeTimeoutMs: 5_000 });
    await waitFor(() => started, 'the handler started');
    await worker.close();
    expect(finished).toBe(true);
    expect(errors).toEqual([]);
  });

  it('past closeTimeoutMs, close() aborts the running handler\'s signal, closes, and says so', async () => {
    const queue = newQueue();
    const { router, errors } = recordingRouter();
    let started = false;
    let abortReason: unknown;
    router.onAny(async (_event, { signal }) => {
      started = true;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(void (abortReason = signal.reason))));
    });
    await bullmqQueue({ queue }).enqueue(createTestEvent('batch.completed'));
    const worker = await startWorker(router, queue, { closeTimeoutMs: 300 });
    await waitFor(() => started, 'the handler started');
    await worker.close();
    expect(errors.map(({ context }) => context.phase)).toEqual(['adapter']);
    expect(String((errors[0]!.error as Error).message)).toMatch(/1 handler\(s\) .* still running after 300 ms \(closeTimeoutMs\): their signal is aborted/);
    expect(String((abortReason as Error).message)).toMatch(/is closing \(closeTimeoutMs 300 ms passed\)/);
  });
});
