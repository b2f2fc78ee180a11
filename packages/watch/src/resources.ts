/**
 * @module resources — Together AI's asynchronous resources as the watcher sees them: how to list
 * and retrieve each through the official client, where its id, state and last change live, and
 * which catalog event each state announces (the mapping of `together-api.md`).
 */
import type { TogetherEventType } from '@x/together-webhooks-core';
import type { Together } from 'together-ai';

/** A resource the watcher can list on every poll. */
export type ListedResource = 'fine_tune' | 'batch' | 'endpoint' | 'evaluation';

/** A resource whose single jobs can be tracked by id; videos have no list endpoint. */
export type TrackedResource = ListedResource | 'video';

/** A job object exactly as the API returned it. */
export type JobObject = Record<string, unknown>;

/** What a request to Together may be given: the watcher's stop signal and its per-request timeout. */
export interface RequestControls {
  signal: AbortSignal;
  timeout: number;
}

/** How the watcher reads one kind of resource. @internal */
export interface ResourceKind {
  /** Every job of the account; absent where Together has no list endpoint. */
  list?: (client: Together, controls: RequestControls) => Promise<JobObject[]>;
  retrieve: (client: Together, id: string, controls: RequestControls) => Promise<JobObject>;
  /** The field holding the job's id. */
  idField: 'id' | 'workflow_id';
  /** The field holding the job's state. */
  stateField: 'status' | 'state';
  /** State → the event it announces; states absent here are intermediate and announce nothing. */
  events: Readonly<Record<string, TogetherEventType>>;
  /** States after which nothing changes any more: a tracked job is dropped once announced. */
  terminal: ReadonlySet<string>;
  /** When the job last changed, in ms since the epoch; `undefined` when the API does not say. */
  lastChangeMs: (job: JobObject) => number | undefined;
  /** The list returns a summary: retrieve the full object before announcing a change. */
  retrieveOnChange: boolean;
}

// The client's methods answer typed objects; the watcher passes them on untouched as `data`.
const asJob = (value: object): JobObject => value as JobObject;

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

/** The resources, by the name used in event ids and in the `resources` option. @internal */
export const resourceKinds: Readonly<Record<TrackedResource, ResourceKind>> = {
  fine_tune: {
    list: async (client, controls) => (await client.fineTuning.list(controls)).data.map(asJob),
    retrieve: async (client, id, controls) => asJob(await client.fineTuning.retrieve(id, controls)),
    idField: 'id',
    stateField: 'status',
    events: {
      pending: 'fine_tune.created',
      queued: 'fine_tune.queued',
      running: 'fine_tune.running',
      completed: 'fine_tune.completed',
      error: 'fine_tune.failed',
      cancelled: 'fine_tune.cancelled',
    },
    terminal: new Set(['completed', 'error', 'cancelled']),
    lastChangeMs: (job) => latest(isoMs(job['updated_at']), isoMs(job['created_at'])),
    // `GET /fine-tunes` answers a truncated job; handlers get the full one of `GET /fine-tunes/{id}`.
    retrieveOnChange: true,
  },
  batch: {
    list: async (client, controls) => (await client.batches.list(controls)).map(asJob),
    retrieve: async (client, id, controls) => asJob(await client.batches.retrieve(id, controls)),
    idField: 'id',
    stateField: 'status',
    events: {
      VALIDATING: 'batch.created',
      IN_PROGRESS: 'batch.in_progress',
      COMPLETED: 'batch.completed',
      FAILED: 'batch.failed',
      EXPIRED: 'batch.expired',
      CANCELLED: 'batch.cancelled',
    },
    terminal: new Set(['COMPLETED', 'FAILED', 'EXPIRED', 'CANCELLED']),
    lastChangeMs: (job) => latest(isoMs(job['completed_at']), isoMs(job['created_at'])),
    retrieveOnChange: false,
  },
  endpoint: {
    // Serverless endpoints are Together's shared models: only dedicated ones change state.
    list: async (client, controls) =>
      (await client.endpoints.list({ type: 'dedicated' }, controls)).data.filter((e) => e.type === 'dedicated').map(asJob),
    retrieve: async (client, id, controls) => asJob(await client.endpoints.retrieve(id, controls)),
    idField: 'id',
    stateField: 'state',
    events: { STARTED: 'endpoint.started', STOPPED: 'endpoint.stopped', ERROR: 'endpoint.failed' },
    terminal: new Set(),
    // An endpoint carries its creation time only: when it last changed state is unknown.
    lastChangeMs: () => undefined,
    // `GET /endpoints` omits display_name, hardware and autoscaling, which `DedicatedEndpoint` has.
    retrieveOnChange: true,
  },
  evaluation: {
    list: async (client, controls) => (await client.evals.list({}, controls)).map(asJob),
    retrieve: async (client, id, controls) => asJob(await client.evals.retrieve(id, controls)),
    idField: 'workflow_id',
    stateField: 'status',
    events: { completed: 'evaluation.completed', error: 'evaluation.failed', user_error: 'evaluation.failed' },
    terminal: new Set(['completed', 'error', 'user_error']),
    lastChangeMs: (job) => latest(isoMs(job['updated_at']), isoMs(job['created_at'])),
    retrieveOnChange: false,
  },
  video: {
    retrieve: async (client, id, controls) => asJob(await client.videos.retrieve(id, controls)),
    idField: 'id',
    stateField: 'status',
    events: { completed: 'video.completed', failed: 'video.failed' },
    terminal: new Set(['completed', 'failed']),
    lastChangeMs: (job) => latest(unixMs(job['completed_at']), unixMs(job['created_at'])),
    retrieveOnChange: false,
  },
};

/** The resources `resources` may name, in the order a poll lists them. */
export const LISTED_RESOURCES: readonly ListedResource[] = ['fine_tune', 'batch', 'endpoint', 'evaluation'];

/** Whether `name` is a resource that can be tracked by id. */
export function isTrackedResource(name: unknown): name is TrackedResource {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(resourceKinds, name);
}

/** The job's id, or `undefined` when the object has none (the batch type makes every field optional). */
export function jobId(kind: ResourceKind, job: JobObject): string | undefined {
  const id = job[kind.idField];
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/** The job's state, or `undefined` when the object has none. */
export function jobState(kind: ResourceKind, job: JobObject): string | undefined {
  const state = job[kind.stateField];
  return typeof state === 'string' && state.length > 0 ? state : undefined;
}
