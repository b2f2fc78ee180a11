/**
 * What the receiver and the worker share: where Redis is, the queue's name, the secret.
 */

/** DEV ONLY: the secret used when TOGETHER_WEBHOOK_SECRET is unset. Never use it in production. */
export const DEV_SECRET = 'whsec_dev_only_do_not_use_in_production';

/** The path deliveries are posted to. */
export const WEBHOOK_PATH = '/webhooks/together';

/** The BullMQ queue between the receiver and the worker. */
export const QUEUE_NAME = process.env.QUEUE_NAME ?? 'together-events';

/** One Redis for the queue and the idempotency store. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The webhook secret from the environment, or the dev-only one with a warning. */
export function webhookSecret() {
  const secret = process.env.TOGETHER_WEBHOOK_SECRET;
  if (secret) return secret;
  console.warn(`TOGETHER_WEBHOOK_SECRET is not set: using the DEV-ONLY secret "${DEV_SECRET}". Never deploy with it.`);
  return DEV_SECRET;
}
