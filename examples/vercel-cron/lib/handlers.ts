/**
 * What the app does with Together AI's events: handlers on an event router whose idempotency
 * store is Redis, so an event announced by two overlapping cron calls runs its handler once.
 */
import { createEventRouter, type EventRouter } from '@x/together-webhooks-core';
import { redisStore } from '@x/together-webhooks-redis';
import type { Redis } from 'ioredis';

export function createHandlers(redis: Redis): EventRouter {
  const router = createEventRouter({ store: redisStore({ client: redis }) });
  router.on('fine_tune.completed', (event) => {
    console.log(`model ready: ${event.data.model_output_name ?? event.data.id}`);
  });
  router.on('batch.completed', (event) => {
    console.log(`batch ${event.data.id ?? ''} done: output file ${event.data.output_file_id ?? 'none'}`);
  });
  router.on('batch.failed', (event) => {
    console.log(`batch ${event.data.id ?? ''} failed: ${event.data.error ?? 'no reason given'}`);
  });
  return router;
}
