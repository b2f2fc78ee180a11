/**
 * @module @x/together-webhooks-watch — the event source for Together AI's asynchronous jobs:
 * polls fine-tunes, batches, dedicated endpoints, evaluations, model uploads and videos, and
 * delivers each state change as a catalog event, in-process or as a signed webhook; on a timer
 * (`watchTogetherJobs`) or once per cron invocation (`pollTogetherJobs`), with its state in the
 * user's store.
 */
export { watchTogetherJobs, type TogetherJobWatcher } from './watch.js';
export { pollTogetherJobs, type PollTogetherJobsOptions } from './poll-together-jobs.js';
export type { PollReport } from './poll.js';
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
export { DEFAULT_MAX_RESPONSE_BYTES, TogetherResponseError } from './reader.js';
export { progressEventId, transitionEventId } from './event.js';
export { LISTED_RESOURCES, type ListedResource, type TrackedResource } from './resources.js';
export {
  emptySnapshot,
  memoryWatchState,
  type PendingDelivery,
  type VersionedSnapshot,
  type WatchedJob,
  type WatchSnapshot,
  type WatchState,
  type WriteResult,
} from './state.js';
export { fileWatchState } from './file-state.js';
export {
  createScheduledWatchHandler,
  type ScheduledInvocationContext,
  type ScheduledWatchHandlerOptions,
} from './scheduled-handler.js';
