/**
 * @module poll — one round: list the watched resources and retrieve the tracked jobs, turn each
 * state seen for the first time into its catalog event, and deliver the pending events in order.
 */
import type { TogetherEvent } from '@x/together-webhooks-core';
import type { Together } from 'together-ai';
import { retryAfterMs } from './backoff.js';
import type { Delivery } from './delivery.js';
import { transitionEvent } from './event.js';
import type { WatchErrorContext } from './options.js';
import {
  jobId,
  jobState,
  resourceKinds,
  type JobObject,
  type ListedResource,
  type RequestControls,
  type ResourceKind,
  type TrackedResource,
} from './resources.js';

/** How a poll went, for the scheduler. @internal */
export interface PollOutcome {
  /** A request to Together failed: back off. */
  failed: boolean;
  /** Together answered 429 with a `Retry-After`: wait at least this long. */
  retryAfterMs: number | undefined;
}

/** What a poller needs. @internal */
export interface PollerOptions {
  client: Together;
  resources: readonly ListedResource[];
  lookbackMs: number;
  timeoutMs: number;
  now: () => number;
  delivery: Delivery;
  report: (error: unknown, context: WatchErrorContext) => void;
}

/** Polls and remembers what it has announced. @internal */
export interface Poller {
  poll(signal: AbortSignal): Promise<PollOutcome>;
  track(resource: TrackedResource, id: string): void;
  untrack(resource: TrackedResource, id: string): void;
  /** Forgets every state seen and every pending event (a new start); tracked ids are kept. */
  reset(): void;
}

interface JobRecord {
  resource: TrackedResource;
  id: string;
  /** The last state observed; `undefined` until the job is first seen. */
  state: string | undefined;
  /** Announced, not yet delivered, oldest first: a job's events reach the receiver in order. */
  pending: TogetherEvent[];
}

const keyOf = (resource: TrackedResource, id: string): string => `${resource}:${id}`;

// The client's APIError carries the response status and headers; matched by shape, not class.
const statusOf = (error: unknown): number | undefined => {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
};

const retryAfterOf = (error: unknown): number | undefined => {
  const headers = (error as { headers?: unknown } | null)?.headers;
  if (!(headers instanceof Headers)) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  return ms > 0 ? ms : retryAfterMs(headers.get('retry-after'));
};

/** Creates a poller over `options.client`. @internal */
export function createPoller(options: PollerOptions): Poller {
  const { client, resources, lookbackMs, timeoutMs, now, delivery, report } = options;
  const records = new Map<string, JobRecord>();
  const tracked = new Map<string, { resource: TrackedResource; id: string }>();
  const listedResources = new Set<TrackedResource>(resources);

  const recordFor = (resource: TrackedResource, id: string): JobRecord => {
    const key = keyOf(resource, id);
    let record = records.get(key);
    if (!record) {
      record = { resource, id, state: undefined, pending: [] };
      records.set(key, record);
    }
    return record;
  };

  /**
   * Notes `job` in `state`. A state seen before announces nothing; the first sight of a job
   * announces its state only when `announceFirst` (its last change is within the lookback).
   */
  const observe = async (
    record: JobRecord,
    kind: ResourceKind,
    state: string,
    job: JobObject,
    announceFirst: boolean,
    signal: AbortSignal,
    retrieved: boolean,
  ): Promise<void> => {
    if (record.state === state) return;
    const announced = Object.prototype.hasOwnProperty.call(kind.events, state) && (record.state !== undefined || announceFirst);
    if (!announced) {
      record.state = state;
      return;
    }
    if (kind.retrieveOnChange && !retrieved) {
      // A failure here leaves the state unrecorded, so the next poll tries again.
      const full = await request(signal, (controls) => kind.retrieve(client, record.id, controls));
      const fullState = jobState(kind, full);
      if (fullState !== undefined) await observe(record, kind, fullState, full, announceFirst, signal, true);
      return;
    }
    const event = transitionEvent(record.resource, kind, record.id, state, job, now());
    if (event) record.pending.push(event);
    record.state = state;
  };

  /**
   * Runs one request with a signal of its own, linked to the watcher's: together-ai 0.52.0 adds an
   * abort listener to the signal it is given and never removes it, which on one long-lived signal
   * would pile up a listener per request for the life of the watcher.
   */
  const request = async <T>(signal: AbortSignal, call: (controls: RequestControls) => Promise<T>): Promise<T> => {
    const own = new AbortController();
    const forward = (): void => own.abort(signal.reason);
    if (signal.aborted) forward();
    else signal.addEventListener('abort', forward, { once: true });
    try {
      return await call({ signal: own.signal, timeout: timeoutMs });
    } finally {
      signal.removeEventListener('abort', forward);
    }
  };

  const poll = async (signal: AbortSignal): Promise<PollOutcome> => {
    const outcome: PollOutcome = { failed: false, retryAfterMs: undefined };
    const cutoff = now() - lookbackMs;
    const seen = new Set<string>();

    const failed = (error: unknown, context: WatchErrorContext): void => {
      if (signal.aborted) return;
      outcome.failed = true;
      if (statusOf(error) === 429) outcome.retryAfterMs = Math.max(outcome.retryAfterMs ?? 0, retryAfterOf(error) ?? 0);
      report(error, context);
    };
    // After a 429 every further request would be refused too: stop for this round.
    const mayRequest = (): boolean => !signal.aborted && outcome.retryAfterMs === undefined;

    for (const resource of resources) {
      if (!mayRequest()) break;
      const kind = resourceKinds[resource];
      let jobs: JobObject[];
      try {
        const list = kind.list!;
        jobs = await request(signal, (controls) => list(client, controls));
      } catch (error) {
        failed(error, { phase: 'poll', resource });
        continue;
      }
      const listed = new Set<string>();
      for (const job of jobs) {
        const id = jobId(kind, job);
        const state = jobState(kind, job);
        if (id === undefined || state === undefined) continue;
        listed.add(keyOf(resource, id));
        if (!mayRequest()) continue;
        const lastChange = kind.lastChangeMs(job);
        // Tracked jobs were asked for by id: they are announced whatever their age.
        const announceFirst = tracked.has(keyOf(resource, id)) || lastChange === undefined || lastChange >= cutoff;
        try {
          await observe(recordFor(resource, id), kind, state, job, announceFirst, signal, false);
          seen.add(keyOf(resource, id));
        } catch (error) {
          failed(error, { phase: 'poll', resource, jobId: id });
        }
      }
      // Memory follows the list: a job that left it is forgotten once nothing of it is pending.
      for (const [key, record] of records) {
        if (record.resource === resource && !listed.has(key) && !tracked.has(key) && record.pending.length === 0) records.delete(key);
      }
    }

    for (const [key, { resource, id }] of tracked) {
      if (!mayRequest()) break;
      if (seen.has(key)) continue;
      const kind = resourceKinds[resource];
      try {
        const job = await request(signal, (controls) => kind.retrieve(client, id, controls));
        const state = jobState(kind, job);
        if (state !== undefined) await observe(recordFor(resource, id), kind, state, job, true, signal, true);
      } catch (error) {
        if (statusOf(error) === 404 && !signal.aborted) {
          tracked.delete(key);
          report(new Error(`${resource} ${id} does not exist (404): no longer tracked`, { cause: error }), { phase: 'poll', resource, jobId: id });
          continue;
        }
        failed(error, { phase: 'poll', resource, jobId: id });
      }
    }

    await deliverPending(signal);
    return outcome;
  };

  const deliverPending = async (signal: AbortSignal): Promise<void> => {
    for (const [key, record] of records) {
      while (record.pending.length > 0) {
        if (signal.aborted) return;
        const event = record.pending[0]!;
        const result = await delivery.send(event, signal);
        if (result.delivered) {
          record.pending.shift();
          continue;
        }
        if (signal.aborted) return;
        report(result.error, { phase: 'deliver', resource: record.resource, jobId: record.id, event });
        // Everything stays pending; a receiver that is down would fail the rest of this round too.
        if (result.receiverDown) return;
        break;
      }
      const entry = tracked.get(key);
      if (entry && record.pending.length === 0 && record.state !== undefined && resourceKinds[entry.resource].terminal.has(record.state)) {
        tracked.delete(key);
        // A listed job keeps its record, or the next list would announce it again as new.
        if (!listedResources.has(entry.resource)) records.delete(key);
      }
    }
  };

  return {
    poll,
    track(resource, id) {
      tracked.set(keyOf(resource, id), { resource, id });
    },
    untrack(resource, id) {
      const key = keyOf(resource, id);
      tracked.delete(key);
      if (records.get(key)?.pending.length === 0) records.delete(key);
    },
    reset() {
      records.clear();
    },
  };
}
