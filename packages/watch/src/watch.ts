/**
 * @module watch — `watchTogetherJobs`: poll Together AI's job API on a timer (as the leader, when
 * a store is shared by several instances) and deliver each job state change as a catalog event.
 */
import { TOGETHER_RESOURCE_NAMES } from '@x/together-webhooks-core';
import { pollDelay } from './backoff.js';
import { togetherClient } from './client.js';
import { dispatchDelivery, type Delivery } from './delivery.js';
import { httpDelivery } from './http-delivery.js';
import { leaderLease, type LeaderLease } from './leader.js';
import { ongoingFailures, reporter } from './report.js';
import { resolveOptions, type WatchOptions } from './options.js';
import { runPoll, type PollContext, type TrackedJob } from './poll.js';
import { isTrackedResource, type TrackedResource } from './resources.js';
import { memoryWatchState, type WatchState } from './state.js';

/** A running (or stopped) watcher. */
export interface TogetherJobWatcher {
  /**
   * Starts polling. Resolves once the first round is done: polled, or (when another instance
   * leads) the lease asked for. Calling it while running returns the same promise.
   */
  start(): Promise<void>;
  /** Stops: cancels the timer, aborts requests in flight, awaits the round in flight, releases the lease. */
  stop(): Promise<void>;
  /**
   * Also polls one job by id (`GET /<resource>/{id}`, one request per poll) until it reaches a final
   * state and that event is delivered. The way to watch videos, which Together cannot list.
   */
  track(resource: TrackedResource, id: string): void;
  /** Stops polling a job given to {@link TogetherJobWatcher.track}. */
  untrack(resource: TrackedResource, id: string): void;
  /** Whether the watcher is started. */
  readonly running: boolean;
  /** Whether this instance is the one polling (always, without a `store`). */
  readonly leading: boolean;
}

/**
 * Turns Together AI's asynchronous jobs (fine-tunes, batches, dedicated endpoints, evaluations,
 * videos) into catalog events, delivered to an event router in this process (`createEventRouter`)
 * or POSTed signed, in either scheme, to a webhook URL. Each event id is `<resource>:<job id>:<state>`, the same at every
 * re-emission, so the receiver's idempotency store makes each transition count once.
 *
 * @param options - where to deliver, what to poll and how often, and the store shared by instances
 * @returns a watcher: `start`, `stop`, `track`
 * @example
 * ```ts
 * import { createEventRouter, memoryStore } from '@x/together-webhooks-core';
 * import { watchTogetherJobs } from '@x/together-webhooks-watch';
 *
 * const router = createEventRouter({ store: memoryStore() });
 * router.on('fine_tune.completed', (event) => console.log('model ready:', event.data.model_output_name));
 *
 * const watcher = watchTogetherJobs({ deliver: router, resources: ['fine_tune', 'batch'] });
 * await watcher.start();
 * process.on('SIGTERM', () => void watcher.stop());
 * ```
 */
export function watchTogetherJobs(options: WatchOptions): TogetherJobWatcher {
  const resolved = resolveOptions(options);
  const client = togetherClient(options);
  const report = reporter(options.onError);
  const delivery: Delivery = resolved.router ? dispatchDelivery(resolved.router) : httpDelivery(resolved.http!);
  const tracked = new Map<string, TrackedJob>();
  let reported = ongoingFailures();
  // Without a state of the user's, memory: forgotten at each start, as the lookback expects.
  let state: WatchState = resolved.state ?? memoryWatchState();
  const forget = (): void => {
    if (resolved.state === undefined) state = memoryWatchState();
  };
  const context = (): PollContext => ({
    client,
    resources: resolved.resources,
    lookbackMs: resolved.lookbackMs,
    timeoutMs: resolved.timeoutMs,
    maxResponseBytes: resolved.maxResponseBytes,
    now: resolved.now,
    delivery,
    state,
    report,
    failures: reported,
    // stop() is the user's own abort: nothing to tell.
    reportCutShort: false,
    tracked,
    onTrackedDone: (key) => tracked.delete(key),
    telemetry: resolved.telemetry,
  });
  const lease: LeaderLease | undefined = resolved.store
    ? leaderLease({
        store: resolved.store,
        key: resolved.leaderKey,
        leaseMs: resolved.leaseMs,
        now: resolved.now,
        onError: (error) => report(error, { phase: 'lease' }),
        // A later lease starts afresh (with memory state): the lookback and the receiver's store cover the gap.
        onLost: forget,
      })
    : undefined;

  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> | undefined;
  let started: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  let failures = 0;

  const schedule = (delayMs: number, signal: AbortSignal): void => {
    if (!signal.aborted) timer = setTimeout(() => void run(signal), delayMs);
  };

  const round = async (signal: AbortSignal): Promise<void> => {
    if (lease) {
      const leadership = await lease.acquire();
      if (signal.aborted) return;
      if (!leadership.leading) {
        // Asked again just after the holder's lease would lapse: a dead leader is replaced within one lease.
        schedule(leadership.retryAfterMs + 5 + Math.round(Math.random() * Math.min(1000, resolved.leaseMs * 0.05)), signal);
        return;
      }
    }
    const outcome = await runPoll(context(), signal);
    if (signal.aborted) return;
    try {
      options.onPoll?.(outcome);
    } catch {
      // A status hook that throws must not stop the watcher.
    }
    failures = outcome.failed ? failures + 1 : 0;
    const delay = pollDelay(resolved.intervalMs, failures, resolved.maxBackoffMs, resolved.jitter);
    schedule(Math.max(delay, Math.min(outcome.retryAfterMs ?? 0, resolved.maxBackoffMs)), signal);
  };

  const run = (signal: AbortSignal): Promise<void> => {
    timer = undefined;
    const current = round(signal).catch((error: unknown) => {
      // Only a bug gets here: keep going at the normal pace.
      report(error, { phase: 'poll' });
      schedule(resolved.intervalMs, signal);
    });
    inFlight = current;
    return current;
  };

  const checkJob = (resource: TrackedResource, id: string): void => {
    if (!isTrackedResource(resource)) throw new TypeError(`resource must be one of ${TOGETHER_RESOURCE_NAMES.join(', ')}`);
    if (typeof id !== 'string' || id.length === 0) throw new TypeError('id must be a non-empty string');
  };

  const watcher: TogetherJobWatcher = {
    get running() {
      return controller !== undefined;
    },
    get leading() {
      return controller !== undefined && (lease ? lease.leading : true);
    },
    start() {
      if (stopping) return stopping.then(() => watcher.start());
      if (started) return started;
      controller = new AbortController();
      failures = 0;
      reported = ongoingFailures();
      forget();
      started = run(controller.signal);
      return started;
    },
    stop() {
      if (stopping) return stopping;
      if (!controller) return Promise.resolve();
      const current = controller;
      stopping = (async () => {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        current.abort(new Error('the watcher was stopped'));
        await inFlight;
        await lease?.release();
        forget();
        controller = undefined;
        started = undefined;
        stopping = undefined;
      })();
      return stopping;
    },
    track(resource, id) {
      checkJob(resource, id);
      tracked.set(`${resource}:${id}`, { resource, id });
    },
    untrack(resource, id) {
      checkJob(resource, id);
      tracked.delete(`${resource}:${id}`);
    },
  };
  return watcher;
}
