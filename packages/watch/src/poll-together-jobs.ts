/**
 * @module poll-together-jobs — `pollTogetherJobs`: one poll and its report, for a platform that
 * runs code on a schedule (Vercel Cron, a scheduled Lambda, a Kubernetes CronJob) instead of a
 * long-lived process. The same poll `watchTogetherJobs` runs on its timer.
 */
import { TOGETHER_RESOURCE_NAMES } from '@x/together-webhooks-core';
import { togetherClient } from './client.js';
import { dispatchDelivery } from './delivery.js';
import { httpDelivery } from './http-delivery.js';
import { resolveOptions, type WatchOptions } from './options.js';
import { runPoll, type PollReport, type TrackedJob } from './poll.js';
import { ongoingFailures, reporter } from './report.js';
import { isTrackedResource, type TrackedResource } from './resources.js';
import type { WatchState } from './state.js';

/** Options of {@link pollTogetherJobs}. */
export interface PollTogetherJobsOptions
  extends Pick<WatchOptions, 'deliver' | 'apiKey' | 'baseURL' | 'client' | 'resources' | 'lookbackMs' | 'timeoutMs' | 'maxResponseBytes' | 'maxRetries' | 'onError' | 'telemetry' | 'now'> {
  /**
   * Where the last announced states and the undelivered events live between invocations: a
   * durable one (`fileWatchState`, `redisWatchState`, `dynamoDbWatchState`, `postgresWatchState`),
   * or each invocation announces again everything changed within the lookback.
   */
  state: WatchState;
  /** Jobs to retrieve by id besides the lists (videos, which Together cannot list). */
  jobs?: readonly { resource: TrackedResource; id: string }[];
  /** Aborts the poll (a platform's deadline): requests in flight end, what was delivered is saved. */
  signal?: AbortSignal;
}

/**
 * Polls Together once: reads the watch state, lists the resources, announces what changed since
 * the last poll, delivers it with what was still pending, and writes the state back
 * (compare-and-set; nothing is written when nothing changed). Never rejects for a failure of
 * Together, the receiver or the state: each goes to `onError` and shows in the report.
 *
 * @param options - where to deliver, the state, and what to poll
 * @returns what the poll did: requests made, events announced, delivered, still pending
 * @throws `TypeError` / `RangeError` for a configuration mistake, before any request
 * @example
 * ```ts
 * import { fileWatchState, pollTogetherJobs } from '@x/together-webhooks-watch';
 *
 * const report = await pollTogetherJobs({
 *   deliver: { url: 'https://example.com/webhooks/together', secret: process.env.WEBHOOK_SECRET! },
 *   state: fileWatchState('.together-watch.json'),
 * });
 * console.log(`${report.announced} announced, ${report.delivered} delivered, ${report.pending} pending`);
 * ```
 */
export async function pollTogetherJobs(options: PollTogetherJobsOptions): Promise<PollReport> {
  const resolved = resolveOptions(options);
  if (resolved.state === undefined) throw new TypeError('state is required: a WatchState such as fileWatchState(path) or redisWatchState({ client })');
  const client = togetherClient(options);
  const tracked = new Map<string, TrackedJob>();
  for (const job of options.jobs ?? []) {
    if (!isTrackedResource(job?.resource) || typeof job.id !== 'string' || job.id.length === 0) {
      throw new TypeError(`jobs must be an array of { resource, id }, resource one of ${TOGETHER_RESOURCE_NAMES.join(', ')} and id a non-empty string`);
    }
    tracked.set(`${job.resource}:${job.id}`, { resource: job.resource, id: job.id });
  }
  return runPoll(
    {
      client,
      resources: resolved.resources,
      lookbackMs: resolved.lookbackMs,
      timeoutMs: resolved.timeoutMs,
      maxResponseBytes: resolved.maxResponseBytes,
      now: resolved.now,
      delivery: resolved.router ? dispatchDelivery(resolved.router) : httpDelivery(resolved.http!),
      state: resolved.state,
      report: reporter(options.onError),
      failures: ongoingFailures(),
      reportCutShort: true,
      tracked,
      onTrackedDone: () => undefined,
      telemetry: resolved.telemetry,
    },
    options.signal ?? new AbortController().signal,
  );
}
