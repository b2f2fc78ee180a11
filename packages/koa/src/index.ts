/**
 * @module @x/together-webhooks-koa — Koa middleware (Koa 2 and 3) that verifies signed deliveries
 * of Together AI job events (from this project's watcher or the user's own sender: Together sends
 * none) over their raw bytes and runs the receiver's handlers once per event id.
 */
export { togetherWebhooks, type KoaContext, type TogetherWebhooksMiddleware, type TogetherWebhooksOptions } from './middleware.js';
