/**
 * A Hono app that receives Together AI webhooks: the handler on one route, the memory store for
 * deduplication, a typed `fine_tune.completed` handler and a logger for every event. It uses only
 * Fetch APIs: Bun, Deno and Workers serve `createApp().app` as the module's default export.
 */
import { Hono } from 'hono';
import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
import { togetherWebhooks } from '@x/together-webhooks-hono';

/** DEV ONLY: the secret used when TOGETHER_WEBHOOK_SECRET is unset. Never use it in production. */
export const DEV_SECRET = 'whsec_dev_only_do_not_use_in_production';

/** The path the deliveries are sent to. */
export const WEBHOOK_PATH = '/webhooks/together';

/**
 * Builds the app.
 *
 * @param {{ secret?: string, store?: import('@x/together-webhooks-core').IdempotencyStore, log?: (line: string) => void }} [options]
 */
export function createApp(options = {}) {
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

  const app = new Hono();
  app.post(WEBHOOK_PATH, togetherWebhooks(webhooks));
  app.get('/health', (c) => c.json({ ok: true }));
  return { app, webhooks };
}
