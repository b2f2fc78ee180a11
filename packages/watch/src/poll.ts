/**
 * @module poll — one poll, the only one the project has (`watchTogetherJobs` runs it on a timer,
 * `pollTogetherJobs` once): read the watch state, list the watched resources and retrieve the
 * tracked jobs, turn each change seen for the first time into its catalog event, deliver what is
 * pending in order, and write the state back once, compare-and-set.
 */
import type { Together } from 'together-ai';
import { boundedStoreCall, type PollScope, type WatchTelemetry } from '@x/together-webhooks-core';
import { retryAfterMs } from './backoff.js';
import type { Delivery } from './delivery.js';
import { progressEvent, transitionEvent } from './event.js';
import { mergeSnapshots } from './merge.js';
import type { WatchErrorContext } from './options.js';
import { togetherReader, TogetherResponseError, type TogetherReader } from './reader.js';
import type { OngoingFailures } from './report.js';
import {
  jobId,
  jobState,
  resourceKinds,
  retrieveOnChange,
  type JobObject,
  type ListedResource,
  type ResourceKind,
  type TrackedResource,
} from './resources.js';
import type { VersionedSnapshot, WatchedJob, WatchSnapshot, WatchState } from './state.js';

/** What one poll did. */
export interface PollReport {
  /** Requests made to Together. */
  requests: number;
  /** Events announced by this poll (state changes and progress entries seen for the first time). */
  announced: number;
  /** Events the receiver accepted, announced by this poll or pending from an earlier one. */
  delivered: number;
  /** Events still waiting for the receiver: they are offered again at the next poll. */
  pending: number;
  /** Whether the watch state was written (nothing changed: nothing written). */
  stateWritten: boolean;
  /** Whether a request to Together or to the state failed (the watcher backs off). */
  failed: boolean;
  /**
   * Whether the poll was aborted (its `signal`: a platform's deadline) before it was done: what it
   * did not reach waits for the next poll; what it delivered is saved.
   */
  cutShort: boolean;
  /** Together answered 429 with a `Retry-After`: wait at least this long before the next poll. */
  retryAfterMs?: number;
}

/** A job asked for by id. @internal */
export interface TrackedJob {
  resource: TrackedResource;
  id: string;
}

/** What a poll needs. @internal */
export interface PollContext {
  client: Together;
  resources: readonly ListedResource[];
  lookbackMs: number;
  timeoutMs: number;
  maxResponseBytes: number;
  now: () => number;
  delivery: Delivery;
  state: WatchState;
  report: (error: unknown, context: WatchErrorContext) => void;
  /** Together's failures already reported: kept across the polls of one watcher, so a lasting one is told once. */
  failures: OngoingFailures;
  /** A poll cut short by its signal says so through `report` (not when the watcher's own stop() aborted it). */
  reportCutShort: boolean;
  /** By `<resource>:<id>`. */
  tracked: ReadonlyMap<string, TrackedJob>;
  /** A tracked job reached a final state and its events were delivered. */
  onTrackedDone: (key: string) => void;
  /** Traces and metrics of the poll, when the user gave some. */
  telemetry: WatchTelemetry | undefined;
}

// How often a conflicting write re-reads, merges and tries again before leaving it to the next poll.
const MAX_WRITE_ATTEMPTS = 5;

const keyOf = (resource: TrackedResource, id: string): string => `${resource}:${id}`;
const has = (table: object | undefined, key: string): boolean => table !== undefined && Object.prototype.hasOwnProperty.call(table, key);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

// The client's APIError carries the response status and headers; matched by shape, not class.
const statusOf = (error: unknown): number | undefined => {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
};

// What makes two failures of one request the same failure: its status, else its class and message.
const kindOf = (error: unknown): string => {
  const status = statusOf(error);
  if (status !== undefined) return `status ${status}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
};

const reasonOf = (signal: AbortSignal): string => (signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted'));

const retryAfterOf = (error: unknown): number | undefined => {
  const headers = (error as { headers?: unknown } | null)?.headers;
  if (!(headers instanceof Headers)) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  return ms > 0 ? ms : retryAfterMs(headers.get('retry-after'));
};

/** One poll in progress. */
interface Round {
  context: PollContext;
  signal: AbortSignal;
  reader: TogetherReader;
  base: VersionedSnapshot;
  /** What this poll will write: `base` with its changes. */
  working: WatchSnapshot;
  cutoff: number;
  /** Keys of the jobs looked at this poll (a tracked job listed too is not retrieved again). */
  seen: Set<string>;
  delivered: Set<string>;
  report: PollReport;
  /** The poll's telemetry scope, when there is one. */
  scope: PollScope | undefined;
}

/** Runs one poll, inside its telemetry scope when there is one. Never rejects: every failure goes to `context.report`. @internal */
export async function runPoll(context: PollContext, signal: AbortSignal): Promise<PollReport> {
  let scope: PollScope | undefined;
  try {
    scope = context.telemetry?.startPoll();
  } catch (error) {
    // A telemetry that cannot start leaves the poll untraced, never undone.
    context.report(error, { phase: 'poll' });
  }
  if (!scope) return pollOnce(context, signal, undefined);
  const traced = scope;
  // Each failure is counted by the telemetry too, then reported as without it.
  const report = context.report;
  const counted: PollContext = {
    ...context,
    report: (error, where) => {
      traced.reported(error, where.phase);
      report(error, where);
    },
  };
  const outcome = await traced.run(() => pollOnce(counted, signal, traced));
  try {
    traced.end(outcome);
  } catch (error) {
    // As for a receiver's telemetry: a failing end changes nothing the poll did, and is told.
    report(error, { phase: 'poll' });
  }
  return outcome;
}

async function pollOnce(context: PollContext, signal: AbortSignal, scope: PollScope | undefined): Promise<PollReport> {
  const report: PollReport = { requests: 0, announced: 0, delivered: 0, pending: 0, stateWritten: false, failed: false, cutShort: false };
  let base: VersionedSnapshot;
  try {
    base = await boundedStoreCall(context.state.read(), context.timeoutMs, 'readWatchState');
  } catch (error) {
    // Without the state there is no knowing what was announced: nothing is announced.
    report.failed = true;
    context.report(error, { phase: 'state' });
    return report;
  }
  const round: Round = {
    context,
    signal,
    reader: togetherReader(context.client, context.timeoutMs, context.maxResponseBytes, signal),
    base,
    working: structuredClone(base.snapshot),
    cutoff: context.now() - context.lookbackMs,
    seen: new Set(),
    delivered: new Set(),
    report,
    scope,
  };
  for (const resource of context.resources) {
    if (!mayRequest(round)) break;
    await pollResource(round, resource);
  }
  await pollTracked(round);
  await deliverPending(round);
  if (signal.aborted) {
    report.cutShort = true;
    if (context.reportCutShort) {
      context.report(new Error(`the poll was cut short (${reasonOf(signal)}): what it did not reach is polled next time`), { phase: 'poll' });
    }
  }
  finishTracked(round);
  report.requests = round.reader.requests;
  report.pending = round.working.pending.length;
  // Also after a stop: what was delivered before it is not announced again.
  await saveState(round);
  return report;
}

// After a 429 every further request would be refused too: stop for this round.
const mayRequest = (round: Round): boolean => !round.signal.aborted && round.report.retryAfterMs === undefined;

/** A request to Together failed: the poll backs off; told unless it is how this request failed last time. */
function failed(round: Round, error: unknown, context: WatchErrorContext): void {
  if (round.signal.aborted) return;
  round.report.failed = true;
  if (statusOf(error) === 429) round.report.retryAfterMs = Math.max(round.report.retryAfterMs ?? 0, retryAfterOf(error) ?? 0);
  const where = context.jobId === undefined ? String(context.resource) : keyOf(context.resource!, context.jobId);
  if (round.context.failures.isNew(where, kindOf(error))) round.context.report(error, context);
}

/** Tells once, while it lasts, that a list held entries that are not jobs; they are skipped. */
function skippedEntries(round: Round, resource: ListedResource, kind: ResourceKind, skipped: number, total: number): void {
  const where = `${resource}:entries`;
  if (skipped === 0) return round.context.failures.recovered(where);
  if (!round.context.failures.isNew(where, 'not jobs')) return;
  const error = new TogetherResponseError(`GET ${kind.path} answered ${skipped} of ${total} entries without a string ${kind.idField} and ${kind.stateField}: skipped`);
  round.context.report(error, { phase: 'poll', resource });
}

/** Lists one resource and observes each job; then forgets the jobs that left the list. */
async function pollResource(round: Round, resource: ListedResource): Promise<void> {
  const kind = resourceKinds[resource];
  let jobs: JobObject[];
  let skipped: number;
  try {
    const answer = await round.reader.list(kind);
    jobs = answer.jobs;
    skipped = answer.notObjects;
  } catch (error) {
    failed(round, error, { phase: 'poll', resource });
    return;
  }
  round.context.failures.recovered(resource);
  const valid = jobs.filter((job) => jobId(kind, job) !== undefined && jobState(kind, job) !== undefined);
  skippedEntries(round, resource, kind, skipped + jobs.length - valid.length, skipped + jobs.length);
  const listed = new Set<string>();
  for (const job of valid) {
    const id = jobId(kind, job)!;
    const key = keyOf(resource, id);
    listed.add(key);
    if (!mayRequest(round)) continue;
    // Tracked jobs were asked for by id: they are announced whatever their age.
    const lastChange = kind.lastChangeMs(job);
    const announceFirst = round.context.tracked.has(key) || lastChange === undefined || lastChange >= round.cutoff;
    try {
      await observe(round, { resource, kind, id, key, job, announceFirst, full: !retrieveOnChange(kind) });
      round.seen.add(key);
      round.context.failures.recovered(key);
    } catch (error) {
      failed(round, error, { phase: 'poll', resource, jobId: id });
    }
  }
  forgetUnlisted(round, resource, listed);
}

/** The state follows the list: a job that left it is forgotten once nothing of it is pending. */
function forgetUnlisted(round: Round, resource: ListedResource, listed: ReadonlySet<string>): void {
  const pendingJobs = new Set(round.working.pending.map((entry) => entry.job));
  const gone = (key: string): boolean => key.startsWith(`${resource}:`) && !listed.has(key) && !round.context.tracked.has(key) && !pendingJobs.has(key);
  round.working.jobs = Object.fromEntries(Object.entries(round.working.jobs).filter(([key]) => !gone(key)));
}

/** Retrieves each tracked job no list showed this poll. */
async function pollTracked(round: Round): Promise<void> {
  for (const [key, { resource, id }] of round.context.tracked) {
    if (!mayRequest(round)) break;
    if (round.seen.has(key)) continue;
    const kind = resourceKinds[resource];
    try {
      const job = await round.reader.retrieve(kind, id);
      round.context.failures.recovered(key);
      if (jobState(kind, job) !== undefined) await observe(round, { resource, kind, id, key, job, announceFirst: true, full: true });
    } catch (error) {
      if (statusOf(error) === 404 && !round.signal.aborted) {
        round.context.onTrackedDone(key);
        round.context.report(new Error(`${resource} ${id} does not exist (404): no longer tracked`, { cause: error }), { phase: 'poll', resource, jobId: id });
        continue;
      }
      failed(round, error, { phase: 'poll', resource, jobId: id });
    }
  }
}

/** One job as a list or a retrieve showed it. */
interface Sighting {
  resource: TrackedResource;
  kind: ResourceKind;
  id: string;
  key: string;
  job: JobObject;
  /** The first sight of the job announces its state (its last change is within the lookback). */
  announceFirst: boolean;
  /** `job` is the full object (a retrieve, or a list that shows everything). */
  full: boolean;
}

const entriesOf = (job: JobObject): JobObject[] | undefined => {
  const entries = job['events'];
  return Array.isArray(entries) ? entries.filter((entry): entry is JobObject => typeof entry === 'object' && entry !== null) : undefined;
};

/** Whether reaching `state` is announced: a change the catalog maps, of a job known before or new enough. */
const announces = (sighting: Sighting, known: WatchedJob | undefined, state: string): boolean =>
  known?.state !== state && has(sighting.kind.events, state) && (known !== undefined || sighting.announceFirst);

/**
 * Compares a job with what the state knows of it and queues the events of what is new: a state
 * reached (announced when the catalog maps it), and entries added to a fine-tune's `events[]`.
 * A list's summary is retrieved in full first, only when it has something to announce.
 */
async function observe(round: Round, sighting: Sighting): Promise<void> {
  const { kind, key } = sighting;
  const known = round.working.jobs[key];
  let job = sighting.job;
  let state = jobState(kind, job)!;
  if (unknownState(round, sighting, known, state)) return;
  if (!announces(sighting, known, state) && !readsProgress(kind, state, known, job)) {
    if (known?.state !== state) round.working.jobs[key] = { ...known, state };
    return;
  }
  if (!sighting.full) {
    // A failure here leaves the job as it was in the state, so the next poll tries again.
    job = await round.reader.retrieve(kind, sighting.id);
    state = jobState(kind, job) ?? state;
    if (unknownState(round, sighting, known, state)) return;
  }
  record(round, sighting, known, job, state);
}

/** A state this version does not know is kept, announces nothing, and is told once per job and state. */
function unknownState(round: Round, sighting: Sighting, known: WatchedJob | undefined, state: string): boolean {
  if (sighting.kind.states.includes(state)) return false;
  // Together adds states over time (its client's changelog shows several such releases).
  if (known?.state !== state) {
    const { resource, id, key } = sighting;
    round.context.report(new Error(`${resource} ${id} is in state "${state}", which this version does not know: it announces nothing`), { phase: 'poll', resource, jobId: id });
    round.working.jobs[key] = { ...known, state };
  }
  return true;
}

/** Queues the events of the full `job` in `state`, and records what the state now knows of it. */
function record(round: Round, sighting: Sighting, known: WatchedJob | undefined, job: JobObject, state: string): void {
  const next: WatchedJob = { ...known, state };
  if (announces(sighting, known, state)) {
    const event = transitionEvent(sighting.resource, sighting.kind, sighting.id, state, job, round.context.now());
    if (event) queue(round, sighting.key, event);
  }
  if (sighting.kind.progress !== undefined) announceProgress(round, sighting, job, known, next);
  round.working.jobs[sighting.key] = next;
}

/** Whether a fine-tune's `events[]` log may hold entries not looked at yet. */
function readsProgress(kind: ResourceKind, state: string, known: WatchedJob | undefined, job: JobObject): boolean {
  if (kind.progress === undefined) return false;
  // Never read yet: a job in a final state logs nothing more; any other is read once, to start from.
  if (known?.entries === undefined) return !kind.final.includes(state);
  if (kind.final.includes(known.state)) return false;
  if (known.state !== state) return true;
  // Together updates `updated_at` with each log entry; an unchanged job is not retrieved again.
  return typeof job['updated_at'] !== 'string' || job['updated_at'] !== known.updated;
}

/** Queues the log entries added since the last look (on a first look, those within the lookback). */
function announceProgress(round: Round, sighting: Sighting, job: JobObject, known: WatchedJob | undefined, next: WatchedJob): void {
  const entries = entriesOf(job);
  if (entries === undefined) return;
  const first = known?.entries === undefined;
  const from = first ? 0 : Math.min(known.entries!, entries.length);
  for (let position = from; position < entries.length; position++) {
    const entry = entries[position]!;
    if (first) {
      const at = typeof entry['created_at'] === 'string' ? Date.parse(entry['created_at']) : Number.NaN;
      // A job seen for the first time announces only what happened within the lookback.
      if (!sighting.announceFirst || !(at >= round.cutoff)) continue;
    }
    const event = progressEvent(sighting.kind, sighting.id, job, entry, position, round.context.now());
    if (event) queue(round, sighting.key, event);
  }
  next.entries = entries.length;
  if (typeof job['updated_at'] === 'string') next.updated = job['updated_at'];
}

function queue(round: Round, key: string, event: PendingDelivery['event']): void {
  if (round.working.pending.some((entry) => entry.event.id === event.id)) return;
  round.working.pending.push({ job: key, event });
  round.report.announced += 1;
}

type PendingDelivery = WatchSnapshot['pending'][number];

/** Delivers what is pending, oldest first; a job whose event failed keeps its later ones in order. */
async function deliverPending(round: Round): Promise<void> {
  const blocked = new Set<string>();
  const kept: PendingDelivery[] = [];
  const queued = round.working.pending;
  let index = 0;
  for (; index < queued.length; index++) {
    const entry = queued[index]!;
    if (round.signal.aborted) break;
    if (blocked.has(entry.job)) {
      kept.push(entry);
      continue;
    }
    const { delivery } = round.context;
    const result = round.scope
      ? await round.scope.send(entry.event, (traceContext) => delivery.send(entry.event, round.signal, traceContext))
      : await delivery.send(entry.event, round.signal);
    if (result.delivered) {
      round.delivered.add(entry.event.id);
      round.report.delivered += 1;
      continue;
    }
    kept.push(entry);
    if (round.signal.aborted) {
      index += 1;
      break;
    }
    const resource = entry.job.slice(0, entry.job.indexOf(':')) as TrackedResource;
    round.context.report(result.error, { phase: 'deliver', resource, jobId: entry.job.slice(entry.job.indexOf(':') + 1), event: entry.event });
    blocked.add(entry.job);
    // A receiver that is down would fail the rest of this round too.
    if (result.receiverDown) {
      index += 1;
      break;
    }
  }
  round.working.pending = [...kept, ...queued.slice(index)];
}

/** A tracked job in a final state with nothing pending is done: dropped (kept in the state if listed). */
function finishTracked(round: Round): void {
  const pendingJobs = new Set(round.working.pending.map((entry) => entry.job));
  const dropped = new Set<string>();
  for (const [key, { resource }] of round.context.tracked) {
    const known = round.working.jobs[key];
    if (known === undefined || pendingJobs.has(key) || !resourceKinds[resource].final.includes(known.state)) continue;
    round.context.onTrackedDone(key);
    // A listed job keeps its entry, or the next list would announce it again as new.
    if (!round.context.resources.some((listed) => listed === resource)) dropped.add(key);
  }
  if (dropped.size > 0) round.working.jobs = Object.fromEntries(Object.entries(round.working.jobs).filter(([key]) => !dropped.has(key)));
}

/** Writes the state once if anything changed; on a conflict re-reads, merges and tries again. */
async function saveState(round: Round): Promise<void> {
  const { state, report } = round.context;
  let base = round.base;
  let snapshot = round.working;
  for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
    if (same(base.snapshot, snapshot)) return;
    try {
      const result = await boundedStoreCall(state.write(snapshot, base.version), round.context.timeoutMs, 'writeWatchState');
      if (result.written) {
        round.report.stateWritten = true;
        return;
      }
      const theirs = await boundedStoreCall(state.read(), round.context.timeoutMs, 'readWatchState');
      snapshot = mergeSnapshots(round.base.snapshot, round.working, theirs.snapshot, round.delivered);
      round.report.pending = snapshot.pending.length;
      base = theirs;
    } catch (error) {
      round.report.failed = true;
      report(error, { phase: 'state' });
      return;
    }
  }
  round.report.failed = true;
  report(new Error(`the watch state changed under this poll ${MAX_WRITE_ATTEMPTS} times in a row: its changes are announced again next poll`), { phase: 'state' });
}
