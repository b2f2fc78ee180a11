/**
 * @module events-resources — the one description of Together AI's asynchronous resources that
 * the rest of the project derives from: for each resource, the field holding its id and its
 * state, every state Together documents, which state announces which catalog event, and which
 * states are final.
 *
 * It lives in the core, beside the event catalog it maps onto, because three things read it and
 * the core may depend on none of the others: the core's test kit (`createTestEvent` builds each
 * type's `data` in the state this table gives it), the watcher (`@x/together-webhooks-watch`
 * adds to each entry how to list and retrieve it over HTTP) and the watcher's fake Together API
 * (which serves those routes). Adding a resource is one entry here, its sample in
 * `testing/test-events.ts` (the compiler asks for it), and its routes in the watcher's
 * `resources.ts`.
 *
 * Facts from `together-api.md` and Together's OpenAPI description; Together adds states over
 * time, so a state absent from `states` is tolerated by the watcher, never an error.
 */
import type { TogetherEventType } from './events.js';

/** The name of a Together AI resource, as used in event ids and the watcher's `resources` option. */
export type TogetherResourceName = 'fine_tune' | 'batch' | 'endpoint' | 'evaluation' | 'video' | 'model_upload';

/** What the project knows about one Together AI resource. */
export interface TogetherResourceSpec {
  /** The field holding the job's id. */
  readonly idField: string;
  /** The field holding the job's state. */
  readonly stateField: string;
  /** Every state Together documents, in lifecycle order; the first is the one a new job has. */
  readonly states: readonly string[];
  /** State → the event it announces; a documented state absent here is intermediate. */
  readonly events: Readonly<Record<string, TogetherEventType>>;
  /** States after which nothing changes any more. */
  readonly final: readonly string[];
  /**
   * Entries of the job's `events[]` log that announce an event of their own (fine-tunes:
   * `checkpoint_save` → `fine_tune.checkpoint_saved`): entry `type` → event type.
   */
  readonly progress?: Readonly<Record<string, TogetherEventType>>;
}

/**
 * Together AI's resources (the mapping of `together-api.md`, "Mapping used by the catalog").
 *
 * @example
 * ```ts
 * togetherResources.batch.events.COMPLETED; // 'batch.completed'
 * ```
 */
export const togetherResources = {
  fine_tune: {
    idField: 'id',
    stateField: 'status',
    states: ['pending', 'queued', 'running', 'compressing', 'uploading', 'cancel_requested', 'cancelled', 'error', 'completed'],
    events: {
      pending: 'fine_tune.created',
      queued: 'fine_tune.queued',
      running: 'fine_tune.running',
      completed: 'fine_tune.completed',
      error: 'fine_tune.failed',
      cancelled: 'fine_tune.cancelled',
    },
    final: ['completed', 'error', 'cancelled'],
    progress: { checkpoint_save: 'fine_tune.checkpoint_saved', epoch_complete: 'fine_tune.epoch_completed' },
  },
  batch: {
    idField: 'id',
    stateField: 'status',
    states: ['VALIDATING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'EXPIRED', 'CANCELLED'],
    events: {
      VALIDATING: 'batch.created',
      IN_PROGRESS: 'batch.in_progress',
      COMPLETED: 'batch.completed',
      FAILED: 'batch.failed',
      EXPIRED: 'batch.expired',
      CANCELLED: 'batch.cancelled',
    },
    final: ['COMPLETED', 'FAILED', 'EXPIRED', 'CANCELLED'],
  },
  endpoint: {
    idField: 'id',
    stateField: 'state',
    states: ['PENDING', 'STARTING', 'STARTED', 'STOPPING', 'STOPPED', 'ERROR'],
    events: { STARTED: 'endpoint.started', STOPPED: 'endpoint.stopped', ERROR: 'endpoint.failed' },
    // An endpoint can always be started or stopped again.
    final: [],
  },
  evaluation: {
    idField: 'workflow_id',
    stateField: 'status',
    states: ['pending', 'queued', 'running', 'completed', 'error', 'user_error'],
    events: { completed: 'evaluation.completed', error: 'evaluation.failed', user_error: 'evaluation.failed' },
    final: ['completed', 'error', 'user_error'],
  },
  video: {
    idField: 'id',
    stateField: 'status',
    states: ['in_progress', 'completed', 'failed'],
    events: { completed: 'video.completed', failed: 'video.failed' },
    final: ['completed', 'failed'],
  },
  model_upload: {
    idField: 'job_id',
    stateField: 'status',
    states: ['Queued', 'Running', 'Complete', 'Failed'],
    events: { Complete: 'model_upload.completed', Failed: 'model_upload.failed' },
    final: ['Complete', 'Failed'],
  },
} as const satisfies Readonly<Record<TogetherResourceName, TogetherResourceSpec>>;

/** The resource names, in the order the watcher lists them. */
// Marked pure so that an app importing only verify() drops the catalog from its bundle.
export const TOGETHER_RESOURCE_NAMES = /* @__PURE__ */ Object.keys(togetherResources) as readonly TogetherResourceName[];
