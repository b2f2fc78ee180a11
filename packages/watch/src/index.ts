/**
 * @module @x/together-webhooks-watch — the event source for Together AI's asynchronous jobs:
 * polls fine-tunes, batches, dedicated endpoints, evaluations and videos, and delivers each state
 * change as a catalog event, in-process or as a signed webhook.
 */
export { watchTogetherJobs, type TogetherJobWatcher } from './watch.js';
export {
  DEFAULT_INTERVAL_MS,
  DEFAULT_LEADER_KEY,
  DEFAULT_LOOKBACK_MS,
  type WatchErrorContext,
  type WatchErrorPhase,
  type WatchOptions,
} from './options.js';
export type { HttpDeliveryOptions } from './http-delivery.js';
export { WatchDeliveryError } from './delivery.js';
export { transitionEventId } from './event.js';
export { LISTED_RESOURCES, type ListedResource, type TrackedResource } from './resources.js';
