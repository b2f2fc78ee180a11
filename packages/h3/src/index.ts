/**
 * @module @x/together-webhooks-h3 — an h3 event handler (h3 1, as in Nuxt 3 and Nitro 2, and h3 2)
 * that verifies signed deliveries of Together AI job events (from this project's watcher or the
 * user's own sender: Together sends none) over their raw bytes and runs the receiver's handlers
 * once per event id.
 */
export { togetherWebhooks, type TogetherWebhooksHandler, type TogetherWebhooksOptions } from './handler.js';
export type { H3EventLike, H3V1Event, H3V2Event } from './event.js';
