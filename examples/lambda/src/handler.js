/**
 * The Lambda function: Together AI webhooks behind API Gateway (REST or HTTP API), an ALB or a
 * Function URL. Deploy this module with `handler` as the function's handler.
 */
import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
import { createLambdaHandler } from '@x/together-webhooks-lambda';

/** DEV ONLY: the secret used when TOGETHER_WEBHOOK_SECRET is unset. Never use it in production. */
export const DEV_SECRET = 'whsec_dev_only_do_not_use_in_production';

export const webhooks = createWebhooks({
  secret: process.env.TOGETHER_WEBHOOK_SECRET ?? DEV_SECRET,
  // One warm Lambda instance only: deploy with the DynamoDB store so that concurrent instances
  // share one record of processed events.
  store: memoryStore(),
  onError: (error, { phase, event }) => console.error(`webhook error in ${phase}${event ? ` (${event.id})` : ''}:`, error),
});

webhooks.on('fine_tune.completed', (event) => {
  console.log(`fine-tune ${event.data.id} completed: ${event.data.model_output_name ?? 'no output model'}`);
});
webhooks.onAny((event) => {
  console.log(`received ${event.type} ${event.id}`);
});

export const handler = createLambdaHandler(webhooks);
