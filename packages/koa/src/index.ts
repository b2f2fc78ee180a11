/**
 * @module @x/together-webhooks-koa — Koa middleware (Koa 2 and 3) that verifies Together AI
 * webhook deliveries over their raw bytes and runs the receiver's handlers once per event id.
 */
export { togetherWebhooks, type KoaContext, type TogetherWebhooksMiddleware, type TogetherWebhooksOptions } from './middleware.js';
