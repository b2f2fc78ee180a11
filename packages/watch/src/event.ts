/**
 * @module event — the catalog event announcing one state of one job, with an id that is the same
 * every time that state is announced, by any watcher, so receivers count it once.
 */
import type { TogetherEvent } from '@x/together-webhooks-core';
import type { JobObject, ResourceKind, TrackedResource } from './resources.js';

/**
 * The id of the event announcing that a job reached a state: `<resource>:<job id>:<state>`.
 *
 * @param resource - `fine_tune`, `batch`, `endpoint`, `evaluation`, `video` or `model_upload`
 * @param id - the job's id as Together returns it (`workflow_id` for evaluations, `job_id` for model uploads)
 * @param state - the state exactly as Together returns it (`COMPLETED`, `user_error`, ...)
 * @returns the deterministic event id
 * @example
 * ```ts
 * transitionEventId('fine_tune', 'ft-123', 'completed'); // 'fine_tune:ft-123:completed'
 * ```
 */
export function transitionEventId(resource: TrackedResource, id: string, state: string): string {
  return `${resource}:${id}:${state}`;
}

/**
 * The event announcing `job` in `state`, or `undefined` for an intermediate state.
 * `data` is the job exactly as the API returned it. @internal
 */
export function transitionEvent(
  resource: TrackedResource,
  kind: ResourceKind,
  id: string,
  state: string,
  job: JobObject,
  createdMs: number,
): TogetherEvent | undefined {
  const type = Object.prototype.hasOwnProperty.call(kind.events, state) ? kind.events[state] : undefined;
  if (type === undefined) return undefined;
  // The mapping table pairs each type with its resource, so `data` is that resource's object.
  return { id: transitionEventId(resource, id, state), type, created: new Date(createdMs).toISOString(), data: job } as TogetherEvent;
}

/**
 * The id of the event announcing entry `position` (0-based) of a fine-tuning job's `events[]`
 * log: `fine_tune:<job id>:<entry type>:<position>`. The log only grows, so the position of an
 * entry is the same at every read.
 *
 * @example
 * ```ts
 * progressEventId('ft-123', 'checkpoint_save', 7); // 'fine_tune:ft-123:checkpoint_save:7'
 * ```
 */
export function progressEventId(id: string, entryType: string, position: number): string {
  return `fine_tune:${id}:${entryType}:${position}`;
}

/** The event announcing one entry of a job's `events[]` log: `data` is the job plus the entry. @internal */
export function progressEvent(kind: ResourceKind, id: string, job: JobObject, entry: JobObject, position: number, createdMs: number): TogetherEvent | undefined {
  const entryType = entry['type'];
  if (typeof entryType !== 'string' || kind.progress === undefined || !Object.prototype.hasOwnProperty.call(kind.progress, entryType)) return undefined;
  const type = kind.progress[entryType]!;
  return { id: progressEventId(id, entryType, position), type, created: new Date(createdMs).toISOString(), data: { ...job, entry } } as TogetherEvent;
}
