/**
 * @module resources — Together AI's resources as the watcher reads them. Everything about each
 * resource (id and state fields, states, state → event, final states, its routes, the list's
 * envelope and what the list leaves out) is the core's `togetherResources`; this file only
 * derives the watcher's names from it. The watcher and the fake Together API
 * (`testing/fake-together-api.ts`) both read that table, so they cannot disagree, and a resource
 * added to the core is watched without an edit here.
 */
import {
  TOGETHER_RESOURCE_NAMES,
  togetherResources,
  type TogetherResourceApi,
  type TogetherResourceName,
  type TogetherResourceSpec,
} from '@x/together-webhooks-core';

/** A resource whose single jobs can be tracked by id: every resource of the core's table. */
export type TrackedResource = TogetherResourceName;

/** A resource the watcher can list on every poll: those with a `GET <path>` (videos have none). */
export type ListedResource = {
  [R in TrackedResource]: (typeof togetherResources)[R]['listable'] extends true ? R : never;
}[TrackedResource];

/** A job object exactly as the API returned it. */
export type JobObject = Record<string, unknown>;

/** How the watcher reaches one kind of resource. @internal */
export interface ResourceKind extends TogetherResourceSpec, TogetherResourceApi {}

/** The resources, by the name used in event ids and in the `resources` option. @internal */
export const resourceKinds: Readonly<Record<TrackedResource, ResourceKind>> = togetherResources;

/** The resources `resources` may name, in the order a poll lists them. */
export const LISTED_RESOURCES: readonly ListedResource[] = TOGETHER_RESOURCE_NAMES.filter(
  (name): name is ListedResource => resourceKinds[name].listable,
);

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
