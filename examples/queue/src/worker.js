/**
 * The worker: a BullMQ worker that runs the handlers through an event router over the Redis
 * store, so each event id is handled once however many workers run. Its batch.completed handler
 * is slow on purpose ($SLOW_HANDLER_MS, 10 s): the receiver's answer does not wait for it.
 * `node src/worker.js`.
 */
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createEventRouter } from '@x/together-webhooks-core';
import { redisStore } from '@x/together-webhooks-redis';
import { createBullmqWorker } from '@x/together-webhooks-bullmq';
import { QUEUE_NAME, REDIS_URL } from './config.js';

/**
 * Starts the worker.
 *
 * @param {{ redisUrl?: string, slowHandlerMs?: number, concurrency?: number, log?: (line: string) => void }} [options]
 */
export async function startWorker(options = {}) {
  const { redisUrl = REDIS_URL, slowHandlerMs = Number(process.env.SLOW_HANDLER_MS ?? 10_000), concurrency = 4, log = console.log } = options;
  const storeClient = new Redis(redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 2_000 });
  storeClient.on('error', (error) => log(`store: ${error.message}`));
  const router = createEventRouter({
    store: redisStore({ client: storeClient }),
    onError: (error, { phase, event }) => log(`worker error in ${phase}${event ? ` (${event.id})` : ''}: ${String(error)}`),
  });

  router.on('batch.completed', async (event, { signal }) => {
    log(`started batch.completed ${event.id}: fetching the output of ${event.data.id} (${slowHandlerMs} ms)`);
    // Stands for a slow download; stops early if this worker loses the event's claim.
    await sleep(slowHandlerMs, undefined, { signal });
    log(`finished batch.completed ${event.id}`);
  });
  router.on('fine_tune.completed', (event) => {
    log(`fine-tune ${event.data.id} completed: ${event.data.model_output_name ?? 'no output model'}`);
  });

  const worker = createBullmqWorker(router, { queueName: QUEUE_NAME, connection: { url: redisUrl }, concurrency });
  await worker.waitUntilReady();
  const close = async () => {
    await worker.close();
    await storeClient.quit();
  };
  return { worker, router, close };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { close } = await startWorker();
  console.log(`worker: ready (queue "${QUEUE_NAME}" on ${REDIS_URL})`);
  // Let running handlers finish (at most 30 s), then exit.
  process.once('SIGTERM', () => void close().then(() => process.exit(0)));
  process.once('SIGINT', () => void close().then(() => process.exit(0)));
}
