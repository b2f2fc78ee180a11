import { createWebhooks, memoryStore } from '@x/together-webhooks-core';

/**
 * The receiver every route shares. Set TOGETHER_WEBHOOK_SECRET where the app runs; the build needs
 * none. Each Next.js runtime (nodejs, edge) and router loads its own
 * copy of this module, so each has its own memory store: use the Redis store to deduplicate
 * across them, and across instances.
 */
export const webhooks = createWebhooks({
  // Read at the first delivery, not when the module loads: `next build` loads route modules to
  // collect their configuration, and must succeed without the secret. A delivery that finds it
  // unset answers 500 and logs why.
  secret: () => process.env.TOGETHER_WEBHOOK_SECRET,
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
