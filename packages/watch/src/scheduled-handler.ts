/**
 * @module scheduled-handler — `createScheduledWatchHandler`: a handler for an AWS Lambda invoked
 * on a schedule (an EventBridge rule or Scheduler): one poll per invocation, ended before the
 * function's own timeout so that what was delivered is saved in the state.
 */
import { pollTogetherJobs, type PollTogetherJobsOptions } from './poll-together-jobs.js';
import type { PollReport } from './poll.js';

/** Options of {@link createScheduledWatchHandler}: those of `pollTogetherJobs`, and the deadline's margin. */
export interface ScheduledWatchHandlerOptions extends Omit<PollTogetherJobsOptions, 'signal'> {
  /**
   * The poll is aborted this long before the invocation's deadline (`context.getRemainingTimeInMillis()`),
   * leaving time to write the state. Default 5 000 ms.
   */
  marginMs?: number;
}

/** The part of the Lambda context the handler reads. */
export interface ScheduledInvocationContext {
  getRemainingTimeInMillis?: () => number;
}

/**
 * Creates the handler of a scheduled Lambda: each invocation polls Together once
 * (`pollTogetherJobs`) and answers the report. It rejects only for a configuration mistake;
 * a poll that failed is reported through `onError` (by default one line in the function's log)
 * and tried again at the next scheduled invocation, so Lambda's retries of a failed async
 * invocation never pile polls up.
 *
 * @param options - where to deliver, the (durable) state, what to poll
 * @returns `handler(event, context)`
 * @example
 * ```ts
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
 * import { dynamoDbWatchState } from '@x/together-webhooks-dynamodb';
 * import { createScheduledWatchHandler } from '@x/together-webhooks-watch';
 *
 * export const handler = createScheduledWatchHandler({
 *   deliver: { url: process.env.WEBHOOK_URL!, secret: process.env.WEBHOOK_SECRET! },
 *   state: dynamoDbWatchState({ client: new DynamoDBClient({}), tableName: process.env.STATE_TABLE! }),
 * });
 * ```
 */
export function createScheduledWatchHandler(
  options: ScheduledWatchHandlerOptions,
): (event: unknown, context?: ScheduledInvocationContext) => Promise<PollReport> {
  if (typeof options !== 'object' || (options as ScheduledWatchHandlerOptions | null) === null) {
    throw new TypeError('options must be an object with deliver and state');
  }
  const { marginMs = 5_000, ...pollOptions } = options;
  if (typeof marginMs !== 'number' || !Number.isFinite(marginMs) || marginMs < 0) throw new RangeError('marginMs must be a non-negative number');
  if (pollOptions.state === undefined) throw new TypeError('state is required: a durable WatchState such as dynamoDbWatchState(...)');
  return async (_event, context) => {
    const controller = new AbortController();
    const remaining = context?.getRemainingTimeInMillis?.();
    const timer = remaining === undefined ? undefined : setTimeout(() => controller.abort(new Error('the invocation is about to time out')), Math.max(0, remaining - marginMs));
    try {
      return await pollTogetherJobs({ ...pollOptions, signal: controller.signal });
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  };
}
