/**
 * @module @x/together-webhooks-core — verify signed deliveries of Together AI job events
 * (HMAC-SHA256 over the raw bytes, replay window; this project's own scheme or Standard Webhooks)
 * and route typed events to handlers once per event id. Together AI sends no webhooks: the
 * deliveries come from this project's watcher or the app's own sender.
 */
export { cryptoBackend } from '#crypto';
export { WebhookVerificationError, verificationErrorStatus, type WebhookVerificationErrorCode } from './errors.js';
export {
  eventCatalog,
  isTogetherEventType,
  type BatchJob,
  type BatchStatus,
  type DedicatedEndpoint,
  type EndpointState,
  type EvaluationJob,
  type EvaluationStatus,
  type FineTuneEventEntry,
  type FineTuneJob,
  type FineTuneProgress,
  type FineTuneStatus,
  type KnownTogetherEvent,
  type ModelUploadJob,
  type ModelUploadStatus,
  type TogetherEvent,
  type TogetherEventDataMap,
  type TogetherEventOf,
  type TogetherEventType,
  type UnknownEventType,
  type UnknownTogetherEvent,
  type VideoJob,
  type VideoStatus,
} from './events.js';
export {
  TOGETHER_RESOURCE_NAMES,
  togetherResources,
  type TogetherJobObject,
  type TogetherResourceApi,
  type TogetherResourceName,
  type TogetherResourceSpec,
  type TogetherResourceTypes,
} from './events-resources.js';
export { SIGNATURE_HEADER, TIMESTAMP_HEADER, type HeadersLike } from './headers.js';
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_TOLERANCE_SECONDS, type VerifyOptions } from './options.js';
export { sign, type SignatureHeaders, type SignOptions } from './sign.js';
export { togetherScheme, type TogetherHeaderName } from './schemes/together.js';
export { standardWebhooksScheme, type StandardWebhooksHeaderName } from './schemes/standard-webhooks.js';
export { MAX_SIGNATURES, type WebhookScheme } from './schemes/scheme.js';
export { verify, verifySync, type RawDelivery, type WebhookInput } from './verify.js';
export { createWebhooks, type Webhooks, type WebhooksOptions } from './pipeline.js';
export type { EnqueueOptions, EventQueue } from './queue.js';
export type {
  DeliveryEntry,
  DeliveryScope,
  DeliveryStart,
  DispatchOptions,
  PollScope,
  PollSummary,
  SendOutcome,
  TraceCarrier,
  TracedOperation,
  WatchTelemetry,
  WebhookTelemetry,
} from './telemetry.js';
export {
  createEventRouter,
  type AnyWebhookHandler,
  type EventFor,
  type EventRouter,
  type EventRouterOptions,
  type HandlerContext,
  type ResultContext,
  type WebhookErrorContext,
  type WebhookErrorPhase,
  type WebhookHandler,
} from './router.js';
export { createLeaseKeeper, LeaseLostError, type HeldLease, type HoldOptions, type LeaseKeeper, type LeaseKeeperOptions } from './lease.js';
export { boundedStoreCall, StoreTimeoutError } from './store-call.js';
export type { WebhookOutcome, WebhookResponseBody, WebhookResult } from './result.js';
export type { ClaimResult, IdempotencyStore } from './store.js';
export { memoryStore, type MemoryStoreOptions } from './stores/memory.js';
export { fitStoreKey } from './store-key.js';
export type { PendingDelivery, VersionedSnapshot, WatchedJob, WatchSnapshot, WatchState, WriteResult } from './watch-state.js';
