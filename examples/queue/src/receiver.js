/**
 * The receiver: Express with togetherWebhooks() in queue mode. It verifies each delivery, puts
 * the event on the BullMQ queue and answers 202 at once; it runs no handler. `node src/receiver.js`
 * listens on 127.0.0.1:$PORT (3000).
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Queue } from 'bullmq';
import { createWebhooks } from '@x/together-webhooks-core';
import { togetherWebhooks } from '@x/together-webhooks-express';
import { bullmqQueue } from '@x/together-webhooks-bullmq';
import { QUEUE_NAME, REDIS_URL, WEBHOOK_PATH, webhookSecret } from './config.js';

/**
 * Starts the receiver on 127.0.0.1.
 *
 * @param {{ port?: number, secret?: string, redisUrl?: string, log?: (line: string) => void }} [options] - port 0 picks a free one
 */
export async function startReceiver(options = {}) {
  const { port = 0, secret = webhookSecret(), redisUrl = REDIS_URL, log = console.log } = options;
  // enableOfflineQueue: false: while Redis is away the answer is 503 (the sender retries), at once.
  const queue = new Queue(QUEUE_NAME, { connection: { url: redisUrl, enableOfflineQueue: false } });
  queue.on('error', (error) => log(`queue: ${error.message}`));
  await queue.waitUntilReady();
  const webhooks = createWebhooks({
    secret,
    queue: bullmqQueue({ queue }),
    enqueueTimeoutMs: 2_000,
    onError: (error, { phase, event }) => log(`webhook error in ${phase}${event ? ` (${event.id})` : ''}: ${String(error)}`),
    onResult: (result, { durationMs }) => {
      if (result.event) log(`answered ${result.status} ${result.outcome} for ${result.event.type} ${result.event.id} in ${durationMs.toFixed(1)} ms`);
    },
  });

  const app = express();
  // The webhook route comes before any body parser: it needs the raw bytes the signature covers.
  app.post(WEBHOOK_PATH, togetherWebhooks(webhooks));
  const server = createServer(app);
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${server.address().port}${WEBHOOK_PATH}`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await queue.close();
  };
  return { url, webhooks, queue, close };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url, close } = await startReceiver({ port: Number(process.env.PORT ?? 3000) });
  console.log(`receiver: POST ${url} (queue "${QUEUE_NAME}" on ${REDIS_URL})`);
  process.once('SIGTERM', () => void close().then(() => process.exit(0)));
  process.once('SIGINT', () => void close().then(() => process.exit(0)));
}
