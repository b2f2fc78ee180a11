/**
 * @module resources — Together AI's resources as the watcher reads them over HTTP. What each
 * resource is (id and state fields, states, state → event, final states) comes from the core's
 * `togetherResources`; this file adds only how to reach it: the routes of Together's OpenAPI
 * description, the list's envelope and what the list leaves out. The watcher and the fake
 * Together API (`testing/fake-together-api.ts`) both read this table, so they cannot disagree.
 */
import { togetherResources, type TogetherResourceSpec } from '@x/together-webhooks-core';

/** A resource the watcher can list on every poll. */
export type ListedResource = 'fine_tune' | 'batch' | 'endpoint' | 'evaluation' | 'model_upload';

/** A resource whose single jobs can be tracked by id; videos have no list endpoint. */
export type TrackedResource = ListedResource | 'video';

/** A job object exactly as the API returned it. */
export type JobObject = Record<string, unknown>;

/** How the watcher reaches one kind of resource. @internal */
export interface ResourceKind extends TogetherResourceSpec {
  /** The collection's path under the base URL: `GET <path>` lists, `GET <path>/{id}` retrieves. */
  path: string;
  /** `GET <path>` exists. */
  listable: boolean;
  /**
   * The base URL the client uses for this resource when none is configured: Together serves
   * videos under `/v2` (an operation-level `servers` entry in its OpenAPI file).
   */
  defaultBaseURL?: string;
  /** Query of the list request. */
  listQuery?: Readonly<Record<string, string>>;
  /** The list answers `{ data: [...] }` (else a bare array). */
  listInData: boolean;
  /** Which listed objects are this resource (`GET /jobs` also lists other kinds of job). */
  listFilter?: (job: JobObject) => boolean;
  /** Fields the list leaves out, or the only fields it keeps: the full object comes from a retrieve. */
  listOmits?: readonly string[];
  listKeeps?: readonly string[];
  /** When the job last changed, in ms since the epoch; `undefined` when the API does not say. */
  lastChangeMs: (job: JobObject) => number | undefined;
}

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

const updatedOrCreated = (job: JobObject): number | undefined => latest(isoMs(job['updated_at']), isoMs(job['created_at']));

/** The resources, by the name used in event ids and in the `resources` option. @internal */
export const resourceKinds: Readonly<Record<TrackedResource, ResourceKind>> = {
  fine_tune: {
    ...togetherResources.fine_tune,
    path: '/fine-tunes',
    listable: true,
    listInData: true,
    // `FinetuneResponseTruncated`: no `events`; handlers get the full job of `GET /fine-tunes/{id}`.
    listOmits: ['events'],
    lastChangeMs: updatedOrCreated,
  },
  batch: {
    ...togetherResources.batch,
    path: '/batches',
    listable: true,
    listInData: false,
    lastChangeMs: (job) => latest(isoMs(job['completed_at']), isoMs(job['created_at'])),
  },
  endpoint: {
    ...togetherResources.endpoint,
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
    ...togetherResources.evaluation,
    path: '/evaluation',
    listable: true,
    listInData: false,
    lastChangeMs: updatedOrCreated,
  },
  video: {
    ...togetherResources.video,
    path: '/videos',
    listable: false,
    defaultBaseURL: 'https://api.together.ai/v2',
    listInData: false,
    lastChangeMs: (job) => latest(unixMs(job['completed_at']), unixMs(job['created_at'])),
  },
  model_upload: {
    ...togetherResources.model_upload,
    path: '/jobs',
    listable: true,
    listInData: true,
    listFilter: (job) => job['type'] === 'model_upload',
    lastChangeMs: updatedOrCreated,
  },
};

/** The resources `resources` may name, in the order a poll lists them. */
export const LISTED_RESOURCES: readonly ListedResource[] = ['fine_tune', 'batch', 'endpoint', 'evaluation', 'model_upload'];

/** Whether the list's object is a summary, to be retrieved in full before it is announced. @internal */
export const retrieveOnChange = (kind: ResourceKind): boolean => kind.listOmits !== undefined || kind.listKeeps !== undefined;

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
