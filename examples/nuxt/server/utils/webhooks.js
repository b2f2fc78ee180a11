/**
 * The receiver (server/utils/ in a Nuxt app): the memory store for deduplication, a typed
 * `fine_tune.completed` handler and a logger for every event. The secret is read at the first
 * delivery, so `nuxi build` and prerendering need no secret.
 */
import { createWebhooks, memoryStore } from '@x/together-webhooks-core';

/** DEV ONLY: the secret used when TOGETHER_WEBHOOK_SECRET is unset. Never use it in production. */
export const DEV_SECRET = 'whsec_dev_only_do_not_use_in_production';

export const webhooks = createWebhooks({
  secret: () => process.env.TOGETHER_WEBHOOK_SECRET ?? DEV_SECRET,
  store: memoryStore(), // one process only: use the Redis or DynamoDB store with several instances
  onError: (error, { phase, event }) => console.log(`webhook error in ${phase}${event ? ` (${event.id})` : ''}: ${String(error)}`),
});

webhooks.on('fine_tune.completed', (event) => {
  console.log(`fine-tune ${event.data.id} completed: ${event.data.model_output_name ?? 'no output model'}`);
});
webhooks.onAny((event) => {
  console.log(`received ${event.type} ${event.id}`);
});
