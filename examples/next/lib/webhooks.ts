import { createWebhooks, memoryStore } from '@x/together-webhooks-core';

/** DEV ONLY: the secret used when TOGETHER_WEBHOOK_SECRET is unset. Never use it in production. */
export const DEV_SECRET = 'whsec_dev_only_do_not_use_in_production';

const secret = process.env.TOGETHER_WEBHOOK_SECRET ?? DEV_SECRET;
if (secret === DEV_SECRET) console.warn('TOGETHER_WEBHOOK_SECRET is not set: using the DEV-ONLY secret. Never deploy with it.');

/**
 * The receiver every route shares. Each Next.js runtime (nodejs, edge) and router loads its own
 * copy of this module, so each has its own memory store: use the Redis store to deduplicate
 * across them, and across instances.
 */
export const webhooks = createWebhooks({
  secret,
  store: memoryStore(),
  onError: (error, { phase, event }) => {
    console.error(`webhook error in ${phase}${event ? ` (${event.id})` : ''}: ${String(error)}`);
  },
});

webhooks.on('fine_tune.completed', (event) => {
  console.log(`fine-tune ${event.data.id} completed: ${event.data.model_output_name ?? 'no output model'}`);
});

webhooks.onAny((event) => {
  console.log(`received ${event.type} ${event.id}`);
});
