/**
 * @module @x/together-webhooks-express — Express middleware (Express 4 and 5) that verifies
 * Together AI webhook deliveries over their raw bytes and runs the receiver's handlers once per
 * event id.
 */
export { togetherWebhooks, type ExpressRequest, type TogetherWebhooksMiddleware, type TogetherWebhooksOptions } from './middleware.js';
