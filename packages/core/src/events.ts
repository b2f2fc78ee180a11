/**
 * @module events — the event catalog: the envelope every delivery carries, the Together AI
 * resource each event type describes, and a discriminated union on `type`.
 */

/** Lifecycle states of a fine-tuning job (`GET /fine-tunes/{id}`). */
export type FineTuneStatus =
  | 'pending'
  | 'queued'
  | 'running'
  | 'compressing'
  | 'uploading'
  | 'cancel_requested'
  | 'cancelled'
  | 'error'
  | 'completed';

/** One entry of a fine-tuning job's `events` log. */
export interface FineTuneEventEntry {
  object: 'fine-tune-event';
  type: string;
  message: string;
  created_at: string;
  level?: string | null;
  step?: number;
  checkpoint_path?: string;
  model_path?: string;
  wandb_url?: string;
  param_count?: number;
  token_count?: number;
  total_steps?: number;
  training_offset?: number;
  hash?: string;
}

/** A fine-tuning job exactly as Together's API returns it; fields beyond these are kept. */
export interface FineTuneJob {
  id: string;
  status: FineTuneStatus;
  user_id?: string;
  model?: string;
  model_output_name?: string;
  training_file?: string;
  validation_file?: string;
  n_epochs?: number;
  epochs_completed?: number;
  created_at?: string;
  updated_at?: string;
  started_at?: string;
  total_price?: number;
  token_count?: number;
  wandb_url?: string;
  events?: FineTuneEventEntry[];
}

/** Lifecycle states of a batch job (`GET /batches/{id}`). */
export type BatchStatus = 'VALIDATING' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'EXPIRED' | 'CANCELLED';

/** A batch job exactly as Together's API returns it (every field optional there too). */
export interface BatchJob {
  id?: string;
  status?: BatchStatus;
  user_id?: string;
  endpoint?: string;
  input_file_id?: string;
  output_file_id?: string;
  error_file_id?: string;
  error?: string;
  model_id?: string;
  /** 0 to 100. */
  progress?: number;
  created_at?: string;
  completed_at?: string;
  job_deadline?: string;
  file_size_bytes?: number;
}

/** States of a dedicated endpoint (`GET /endpoints/{id}`). */
export type EndpointState = 'PENDING' | 'STARTING' | 'STARTED' | 'STOPPING' | 'STOPPED' | 'ERROR';

/** A dedicated endpoint exactly as Together's API returns it. */
export interface DedicatedEndpoint {
  id: string;
  object: 'endpoint';
  name: string;
  display_name: string;
  model: string;
  hardware: string;
  owner: string;
  type: 'dedicated';
  state: EndpointState;
  autoscaling: { min_replicas: number; max_replicas: number };
  created_at: string;
}

/** States of an evaluation (`GET /evaluation/{id}`). */
export type EvaluationStatus = 'pending' | 'queued' | 'running' | 'completed' | 'error' | 'user_error';

/** An evaluation job exactly as Together's API returns it. */
export interface EvaluationJob {
  workflow_id?: string;
  type?: 'classify' | 'score' | 'compare';
  status?: EvaluationStatus;
  owner_id?: string;
  parameters?: Record<string, unknown>;
  /** Shape depends on `type`; `null` until the evaluation finishes. */
  results?: object | null;
  status_updates?: { message?: string; status?: string; timestamp?: string }[];
  created_at?: string;
  updated_at?: string;
}

/** States of a video generation (`GET /videos/{id}`). */
export type VideoStatus = 'in_progress' | 'completed' | 'failed';

/** A video generation job exactly as Together's API returns it. */
export interface VideoJob {
  id: string;
  object?: 'video';
  model: string;
  status: VideoStatus;
  seconds: string;
  size: string;
  /** Unix seconds. */
  created_at: number;
  /** Unix seconds. */
  completed_at?: number;
  error?: { message: string; code?: string };
  outputs?: { cost: number; video_url: string };
}

/** States of a model upload job (`GET /jobs/{jobId}`, Together's OpenAPI `JobInfoSuccessResponse`). */
export type ModelUploadStatus = 'Queued' | 'Running' | 'Complete' | 'Failed';

/** A model upload job exactly as Together's API returns it (`GET /jobs`, `GET /jobs/{jobId}`). */
export interface ModelUploadJob {
  /** `model_upload` for the jobs this catalog announces. */
  type: string;
  job_id: string;
  status: ModelUploadStatus;
  status_updates: { status: string; message: string; timestamp: string }[];
  args: { description?: string; modelName?: string; modelSource?: string };
  created_at: string;
  updated_at: string;
}

/**
 * The `data` of `fine_tune.checkpoint_saved` and `fine_tune.epoch_completed`: the fine-tuning job
 * as `GET /fine-tunes/{id}` returned it, plus the entry of its `events` log that announced it.
 */
export type FineTuneProgress = FineTuneJob & {
  /** The `events[]` entry (`type` `checkpoint_save` or `epoch_complete`). */
  entry: FineTuneEventEntry;
};

/** Each catalog event type and the resource its `data` holds. */
export interface TogetherEventDataMap {
  'fine_tune.created': FineTuneJob;
  'fine_tune.queued': FineTuneJob;
  'fine_tune.running': FineTuneJob;
  'fine_tune.completed': FineTuneJob;
  'fine_tune.failed': FineTuneJob;
  'fine_tune.cancelled': FineTuneJob;
  'fine_tune.checkpoint_saved': FineTuneProgress;
  'fine_tune.epoch_completed': FineTuneProgress;
  'batch.created': BatchJob;
  'batch.in_progress': BatchJob;
  'batch.completed': BatchJob;
  'batch.failed': BatchJob;
  'batch.expired': BatchJob;
  'batch.cancelled': BatchJob;
  'endpoint.started': DedicatedEndpoint;
  'endpoint.stopped': DedicatedEndpoint;
  'endpoint.failed': DedicatedEndpoint;
  'evaluation.completed': EvaluationJob;
  'evaluation.failed': EvaluationJob;
  'video.completed': VideoJob;
  'video.failed': VideoJob;
  'model_upload.completed': ModelUploadJob;
  'model_upload.failed': ModelUploadJob;
  'resource.created': Record<string, unknown>;
  'resource.updated': Record<string, unknown>;
  'resource.deleted': Record<string, unknown>;
}

/** A type in the catalog. */
export type TogetherEventType = keyof TogetherEventDataMap;

/** The envelope of one delivery of event type `T`. Fields beyond these are kept as sent. */
export interface TogetherEventOf<T extends TogetherEventType> {
  /** Unique per event: the idempotency key. */
  id: string;
  type: T;
  /** ISO 8601, passed through as sent. */
  created: string;
  data: TogetherEventDataMap[T];
}

/** An event whose type is in the catalog: a discriminated union on `type`. */
export type KnownTogetherEvent = { [T in TogetherEventType]: TogetherEventOf<T> }[TogetherEventType];

declare const unknownEventType: unique symbol;

/**
 * The `type` of an event newer than this SDK's catalog: a string, readable as one. It is marked
 * so that TypeScript never takes it for a catalog type in a comparison, which keeps
 * `event.type === 'fine_tune.completed'` narrowing `event.data`. (Typed in the catalog's dotted
 * form; a type without a dot is delivered the same way.)
 */
export type UnknownEventType = `${string}.${string}` & { readonly [unknownEventType]: 'not in the catalog' };

/** An event whose type is not in this SDK's catalog (forward compatibility): delivered, never rejected. */
export interface UnknownTogetherEvent {
  /** Unique per event: the idempotency key. */
  id: string;
  type: UnknownEventType;
  /** ISO 8601, passed through as sent. */
  created: string;
  data: Record<string, unknown>;
}

/**
 * A verified event: a discriminated union on `type`, so `if (event.type === 'fine_tune.completed')`
 * narrows `event.data` to a {@link FineTuneJob}. Types newer than this SDK are delivered too, as
 * an {@link UnknownTogetherEvent}: after `if (!isTogetherEventType(event.type))`, `event.type`
 * is a string and `event.data` an object.
 */
export type TogetherEvent = KnownTogetherEvent | UnknownTogetherEvent;

/** One line on each catalog type, for tools and documentation. */
export const eventCatalog: Readonly<Record<TogetherEventType, string>> = {
  'fine_tune.created': 'a fine-tuning job was created (status pending)',
  'fine_tune.queued': 'a fine-tuning job is queued for hardware',
  'fine_tune.running': 'a fine-tuning job started training',
  'fine_tune.completed': 'a fine-tuning job finished; the model is available',
  'fine_tune.failed': 'a fine-tuning job stopped with an error',
  'fine_tune.cancelled': 'a fine-tuning job was cancelled',
  'fine_tune.checkpoint_saved': 'a fine-tuning job saved a checkpoint (a checkpoint_save entry of its events log)',
  'fine_tune.epoch_completed': 'a fine-tuning job completed an epoch (an epoch_complete entry of its events log)',
  'batch.created': 'a batch job was created and is being validated',
  'batch.in_progress': 'a batch job is running',
  'batch.completed': 'a batch job finished; its output file is ready',
  'batch.failed': 'a batch job failed',
  'batch.expired': 'a batch job passed its deadline unfinished',
  'batch.cancelled': 'a batch job was cancelled',
  'endpoint.started': 'a dedicated endpoint is serving requests',
  'endpoint.stopped': 'a dedicated endpoint stopped',
  'endpoint.failed': 'a dedicated endpoint entered the ERROR state',
  'evaluation.completed': 'an evaluation finished; results are available',
  'evaluation.failed': 'an evaluation failed (error or user_error)',
  'video.completed': 'a video generation finished; outputs hold its URL',
  'video.failed': 'a video generation failed',
  'model_upload.completed': 'a model upload job finished (status Complete); the model can be deployed',
  'model_upload.failed': 'a model upload job failed',
  'resource.created': 'a resource was created (generic)',
  'resource.updated': 'a resource changed (generic)',
  'resource.deleted': 'a resource was deleted (generic)',
};

/**
 * Whether `type` is in this SDK's catalog.
 *
 * @param type - an event's `type`
 * @returns `true` for a catalog type, `false` for a type newer than this SDK
 * @example
 * ```ts
 * if (!isTogetherEventType(event.type)) console.warn('new event type', event.type);
 * ```
 */
export function isTogetherEventType(type: string): type is TogetherEventType {
  return Object.prototype.hasOwnProperty.call(eventCatalog, type);
}
