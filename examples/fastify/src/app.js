/**
 * A Fastify app that receives Together AI webhooks: the plugin on its own route (raw bytes there,
 * JSON parsing everywhere else), the memory store for deduplication, a typed `fine_tune.completed`
 * handler and a logger for every event.
 */
import Fastify from 'fastify';
import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
import { togetherWebhooks } from '@x/together-webhooks-fastify';

/** DEV ONLY: the secret used when TOGETHER_WEBHOOK_SECRET is unset. Never use it in production. */
export const DEV_SECRET = 'whsec_dev_only_do_not_use_in_production';

/** The path the deliveries are sent to. */
export const WEBHOOK_PATH = '/webhooks/together';

/**
 * Builds the app (not listening yet).
 *
 * @param {{ secret?: string, store?: import('@x/together-webhooks-core').IdempotencyStore, log?: (line: string) => void }} [options]
 */
export async function createApp(options = {}) {
  const { secret = DEV_SECRET, store = memoryStore(), log = console.log } = options;
  const webhooks = createWebhooks({
    secret,
    store,
    onError: (error, { phase, event }) => log(`webhook error in ${phase}${event ? ` (${event.id})` : ''}: ${String(error)}`),
  });

  webhooks.on('fine_tune.completed', (event) => {
    log(`fine-tune ${event.data.id} completed: ${event.data.model_output_name ?? 'no output model'}`);
  });
  webhooks.onAny((event) => {
    log(`received ${event.type} ${event.id}`);
  });

  const app = Fastify();
  await app.register(togetherWebhooks, { webhooks, path: WEBHOOK_PATH });
  app.get('/health', async () => ({ ok: true }));
  // The rest of the app keeps Fastify's JSON parsing: the plugin's raw parser stays in its scope.
  app.post('/api/echo', async (request) => ({ parsed: request.body }));
  return { app, webhooks };
}

/**
 * Starts the app on 127.0.0.1.
 *
 * @param {{ port?: number } & Parameters<typeof createApp>[0]} [options] - port 0 picks a free one
 */
export async function start(options = {}) {
  const { port = 0, ...appOptions } = options;
  const { app, webhooks } = await createApp(appOptions);
  const origin = await app.listen({ port, host: '127.0.0.1' });
  return { app, webhooks, url: `${origin}${WEBHOOK_PATH}`, close: () => app.close() };
}
