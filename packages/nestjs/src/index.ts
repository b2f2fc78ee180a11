/**
 * @module @x/together-webhooks-nestjs — a NestJS module (Nest 10 to 12, Express and Fastify
 * platforms) that serves a controller at a configured path, verifies signed deliveries of Together
 * AI job events (from this project's watcher or the user's own sender: Together sends none) over
 * their raw bytes and runs the receiver's handlers once per event id.
 */
export {
  DEFAULT_WEBHOOK_PATH,
  TogetherWebhooksModule,
  type TogetherWebhooksModuleAsyncOptions,
  type TogetherWebhooksModuleOptions,
  type TogetherWebhooksRouteOptions,
} from './module.js';
export { TOGETHER_WEBHOOKS } from './token.js';
export type {
  ExpressPlatformRequest,
  FastifyPlatformReply,
  FastifyPlatformRequest,
  NestPlatformRequest,
  NestPlatformResponse,
  OnResult,
} from './answer.js';
