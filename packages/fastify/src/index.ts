/**
 * @module @x/together-webhooks-fastify — a Fastify plugin (Fastify 4 and 5) that verifies signed
 * deliveries of Together AI job events (from this project's watcher or the user's own sender:
 * Together sends none) over their raw bytes and runs the receiver's handlers once per event id.
 */
export { togetherWebhooks, type TogetherWebhooksOptions } from './plugin.js';
