/**
 * @module @x/together-webhooks-hono — a Hono handler that verifies signed deliveries of Together AI
 * job events (from this project's watcher or the user's own sender: Together sends none) over their
 * raw bytes and runs the receiver's handlers once per event id, on Node, Bun, Deno and Workers.
 */
export { togetherWebhooks, type TogetherWebhooksOptions } from './handler.js';
