/**
 * @module events-resources — the one description of Together AI's asynchronous resources that
 * the rest of the project derives from: for each resource, its job and state types, the field
 * holding its id and its state, every state Together documents, which state announces which
 * catalog event, which states are final, and how Together's API serves it (routes, the list's
 * envelope, what the list leaves out).
 *
 * It lives in the core, beside the event catalog it maps onto, because three things read it and
 * the core may depend on none of the others: the core's test kit (`createTestEvent` builds each
 * type's `data` in the state this table gives it), the watcher (`@x/together-webhooks-watch`
 * lists and retrieves each resource by this table and offers exactly its names) and the
 * watcher's fake Together API (which serves these routes, rendering jobs with the test kit's
 * fixtures).
 *
 * Adding a resource takes three edits, the last two asked for by the compiler: its job and state
 * types in `events.ts` (with its event types in `TogetherEventDataMap` and `eventCatalog`), its
 * entry here (in `TogetherResourceTypes` and `togetherResources`), and its fixture in
 * `testing/test-events.ts` (a sample in each state, and how the job changes with a state).
 * The watcher, its `resources` option, its error messages and its fake API follow from these.
 *
 * Facts from `together-api.md` and Together's OpenAPI description; Together adds states over
 * time, so a state absent from `states` is tolerated by the watcher, never an error.
 */
import type {
  BatchJob,
  BatchStatus,
  DedicatedEndpoint,
  EndpointState,
  EvaluationJob,
  EvaluationStatus,
  FineTuneJob,
  FineTuneStatus,
  ModelUploadJob,
  ModelUploadStatus,
  TogetherEventType,
  VideoJob,
  VideoStatus,
} from './events.js';

/** Each resource's job object and the type of its state field, as `events.ts` declares them. */
export interface TogetherResourceTypes {
  fine_tune: { job: FineTuneJob; state: FineTuneStatus };
  batch: { job: BatchJob; state: BatchStatus };
  endpoint: { job: DedicatedEndpoint; state: EndpointState };
  evaluation: { job: EvaluationJob; state: EvaluationStatus };
  video: { job: VideoJob; state: VideoStatus };
  model_upload: { job: ModelUploadJob; state: ModelUploadStatus };
}

/** The name of a Together AI resource, as used in event ids and the watcher's `resources` option. */
export type TogetherResourceName = keyof TogetherResourceTypes;

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

/** A job object as Together's API returns it, read field by field. */
export type TogetherJobObject = Readonly<Record<string, unknown>>;

/** How Together's API serves one resource (routes of its OpenAPI description). */
export interface TogetherResourceApi {
  /** The collection's path under the base URL: `GET <path>` lists, `GET <path>/{id}` retrieves. */
  readonly path: string;
  /** `GET <path>` exists. */
  readonly listable: boolean;
  /** Together's OpenAPI file gives the id the `uuid` format (fine-tunes, batches). */
  readonly uuidIds?: true;
  /**
   * The base URL to use for this resource when none is configured: Together serves videos under
   * `/v2` (an operation-level `servers` entry in its OpenAPI file).
   */
  readonly defaultBaseURL?: string;
  /** Query of the list request. */
  readonly listQuery?: Readonly<Record<string, string>>;
  /** The list answers `{ data: [...] }` (else a bare array). */
  readonly listInData: boolean;
  /** Which listed objects are this resource (`GET /jobs` also lists other kinds of job). */
  readonly listFilter?: (job: TogetherJobObject) => boolean;
  /** Fields the list leaves out, or the only fields it keeps: the full object comes from a retrieve. */
  readonly listOmits?: readonly string[];
  readonly listKeeps?: readonly string[];
  /** When the job last changed, in ms since the epoch; `undefined` when the API does not say. */
  readonly lastChangeMs: (job: TogetherJobObject) => number | undefined;
}

// An entry whose id and state fields are checked against the resource's job type, and its
// states, event map and final states against its state type: a typo or a state Together does
// not document is a compile error.
type EntryOf<R extends TogetherResourceName> = TogetherResourceSpec &
  TogetherResourceApi & {
    readonly idField: keyof TogetherResourceTypes[R]['job'] & string;
    readonly stateField: keyof TogetherResourceTypes[R]['job'] & string;
    readonly states: readonly TogetherResourceTypes[R]['state'][];
    readonly events: Readonly<Partial<Record<TogetherResourceTypes[R]['state'], TogetherEventType>>>;
    readonly final: readonly TogetherResourceTypes[R]['state'][];
  };

const isoMs = (value: unknown): number | undefined => {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
};

const unixMs = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value * 1000 : undefined;

const latest = (...times: (number | undefined)[]): number | undefined => {
  const known = times.filter((time): time is number => time !== undefined);
  return known.length === 0 ? undefined : Math.max(...known);
};

const updatedOrCreated = (job: TogetherJobObject): number | undefined => latest(isoMs(job['updated_at']), isoMs(job['created_at']));

/**
 * Together AI's resources (the mapping of `together-api.md`, "Mapping used by the catalog", and
 * the routes of Together's OpenAPI description).
 *
 * @example
 * ```ts
 * togetherResources.batch.events.COMPLETED; // 'batch.completed'
 * togetherResources.batch.path; // '/batches'
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
    path: '/fine-tunes',
    listable: true,
    uuidIds: true,
    listInData: true,
    // `FinetuneResponseTruncated`: no `events`; handlers get the full job of `GET /fine-tunes/{id}`.
    listOmits: ['events'],
    lastChangeMs: updatedOrCreated,
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
    path: '/batches',
    listable: true,
    uuidIds: true,
    listInData: false,
    lastChangeMs: (job) => latest(isoMs(job['completed_at']), isoMs(job['created_at'])),
  },
  endpoint: {
    idField: 'id',
    stateField: 'state',
    states: ['PENDING', 'STARTING', 'STARTED', 'STOPPING', 'STOPPED', 'ERROR'],
    events: { STARTED: 'endpoint.started', STOPPED: 'endpoint.stopped', ERROR: 'endpoint.failed' },
    // An endpoint can always be started or stopped again.
    final: [],
    path: '/endpoints',
    listable: true,
    // Serverless endpoints are Together's shared models: only dedicated ones change state.
    listQuery: { type: 'dedicated' },
    listInData: true,
    listFilter: (job) => job['type'] === 'dedicated',
    // `GET /endpoints` omits display_name, hardware and autoscaling, which `DedicatedEndpoint` has.
    listKeeps: ['id', 'object', 'name', 'model', 'owner', 'type', 'state', 'created_at'],
    // An endpoint carries its creation time only: when it last changed state is unknown.
    lastChangeMs: () => undefined,
  },
  evaluation: {
    idField: 'workflow_id',
    stateField: 'status',
    states: ['pending', 'queued', 'running', 'completed', 'error', 'user_error'],
    events: { completed: 'evaluation.completed', error: 'evaluation.failed', user_error: 'evaluation.failed' },
    final: ['completed', 'error', 'user_error'],
    path: '/evaluation',
    listable: true,
    listInData: false,
    lastChangeMs: updatedOrCreated,
  },
  video: {
    idField: 'id',
    stateField: 'status',
    states: ['in_progress', 'completed', 'failed'],
    events: { completed: 'video.completed', failed: 'video.failed' },
    final: ['completed', 'failed'],
    // Together has no `GET /videos`: a video is tracked by id.
    path: '/videos',
    listable: false,
    defaultBaseURL: 'https://api.together.ai/v2',
    listInData: false,
    lastChangeMs: (job) => latest(unixMs(job['completed_at']), unixMs(job['created_at'])),
  },
  model_upload: {
    idField: 'job_id',
    stateField: 'status',
    states: ['Queued', 'Running', 'Complete', 'Failed'],
    events: { Complete: 'model_upload.completed', Failed: 'model_upload.failed' },
    final: ['Complete', 'Failed'],
    path: '/jobs',
    listable: true,
    listInData: true,
    listFilter: (job) => job['type'] === 'model_upload',
    lastChangeMs: updatedOrCreated,
  },
} as const satisfies { readonly [R in TogetherResourceName]: EntryOf<R> };

/** The resource names, in the order the watcher lists them. */
// Marked pure so that an app importing only verify() drops the catalog from its bundle.
export const TOGETHER_RESOURCE_NAMES = /* @__PURE__ */ Object.keys(togetherResources) as readonly TogetherResourceName[];
