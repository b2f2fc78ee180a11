/**
 * @module pipeline — `createWebhooks`: an event router plus `handle()`, which verifies a delivery
 * (by its scheme) and hands the event to the router; every answer in the shape adapters write back.
 */
import { WebhookVerificationError } from './errors.js';
import type { TogetherEvent } from './events.js';
import { numberOption, resolveVerifyOptions, secretList, type ResolvedVerifyOptions } from './options.js';
import { DEFAULT_ENQUEUE_TIMEOUT_MS, QUEUE_RETRY_AFTER_SECONDS, type EventQueue } from './queue.js';
import { rejectedResult, resultFor, type WebhookResult } from './result.js';
import {
  dispatchEvent,
  routerParts,
  type AnyWebhookHandler,
  type EventRouter,
  type EventRouterOptions,
} from './router.js';
import type { WebhookScheme } from './schemes/scheme.js';
import { boundedStoreCall } from './store-call.js';
import { traceContextOf, type DeliveryScope } from './telemetry.js';
import { verifyWithResolvedOptions, type WebhookInput } from './verify.js';

/** Options of {@link createWebhooks}: the router's, plus what verification needs. */
export interface WebhooksOptions extends EventRouterOptions {
  /**
   * The webhook secret, or several during a rotation; or a function returning it, read at the
   * first delivery, so that a build step that loads the module without the secret (`next build`)
   * succeeds. A delivery that finds no secret then answers 500 and is reported, never 401.
   */
  secret: string | readonly string[] | (() => string | readonly string[] | undefined);
  /** Where the signature is and over what. Default `togetherScheme()`; or `standardWebhooksScheme()`. */
  scheme?: WebhookScheme;
  /** Replay window in seconds, both directions. Default 300. */
  toleranceSeconds?: number;
  /** Largest body accepted, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Current time in milliseconds since the epoch, for the replay window; for tests. */
  now?: () => number;
  /**
   * Queue mode (spec section 13): `handle()` verifies, enqueues the event and answers 202
   * `queued`, and workers run the handlers (`router.dispatch`) from the queue. Without it the
   * handlers run inside `handle()`.
   */
  queue?: EventQueue;
  /** Longest an enqueue may take before the answer is 503 `queue_unavailable`. Default 5000. */
  enqueueTimeoutMs?: number;
}

/** A webhook receiver: an {@link EventRouter} that also verifies deliveries, with `handle`. */
export interface Webhooks extends EventRouter {
  /** Verifies, deduplicates and handles one delivery. Never throws for anything a sender sends. */
  handle(input: WebhookInput): Promise<WebhookResult>;
  /**
   * The answer for a delivery an adapter stopped before `handle()`, in the shape `handle()`
   * gives: a `WebhookVerificationError` (for example `payload_too_large` while reading) is
   * `rejected` with its status; anything else (a configuration mistake) is reported to `onError`
   * with phase `adapter` and answered 500 `failed`. Like any answer, it reaches `onResult` and,
   * with `telemetry`, is a delivery of its own (its span carries the rejection code).
   */
  resultForError(error: unknown): WebhookResult;
  /** The body limit adapters enforce while reading a stream. */
  readonly maxBodyBytes: number;
}

/**
 * Creates a webhook receiver: verification (the secret, the scheme, the replay window) in front
 * of an event router. Deliveries come from this project's watcher (`@x/together-webhooks-watch`),
 * which turns Together AI's job API into signed events, or from your own sender.
 *
 * @param options - the secret, the scheme, the idempotency store, and limits
 * @returns a receiver: `on`, `onAny`, `handle`, `dispatch`
 * @example
 * ```ts
 * import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
 *
 * const webhooks = createWebhooks({ secret: process.env.TOGETHER_WEBHOOK_SECRET!, store: memoryStore() });
 * webhooks.on('fine_tune.completed', async (event, { signal }) => {
 *   await deploy(event.data.model_output_name, { signal });
 * });
 * export const POST = (request: Request) =>
 *   webhooks.handle(request).then((r) => Response.json(r.body, { status: r.status, headers: r.headers }));
 * ```
 */
export function createWebhooks(options: WebhooksOptions): Webhooks {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object with a secret');
  // Checked once here: a misconfiguration throws at construction, and handle() skips the checks.
  const readSecret = typeof options.secret === 'function' ? options.secret : undefined;
  // With a secret function, every option but the secret is checked now, the secret at first use.
  const limits = resolveVerifyOptions(options, readSecret && []);
  let verifyOptions: ResolvedVerifyOptions | undefined = readSecret ? undefined : limits;
  const parts = routerParts(options);
  const { report } = parts;
  const { queue } = options;
  if (queue !== undefined && typeof (queue as Partial<EventQueue> | null)?.enqueue !== 'function') {
    throw new TypeError('queue must be an EventQueue: enqueue(event) is missing');
  }
  const enqueueTimeoutMs = numberOption(options.enqueueTimeoutMs, 'enqueueTimeoutMs', DEFAULT_ENQUEUE_TIMEOUT_MS);
  if (enqueueTimeoutMs <= 0) throw new RangeError('enqueueTimeoutMs must be more than 0');

  // Queue mode: a verified event is put on the queue, and the answer promises only that it is
  // durable; the handlers run in a worker. A queue that refuses or does not answer in time leaves
  // nothing accepted: 503, and the sender retries.
  const enqueue = async (q: EventQueue, event: TogetherEvent, scope?: DeliveryScope): Promise<WebhookResult> => {
    try {
      if (!scope) await boundedStoreCall(q.enqueue(event), enqueueTimeoutMs, 'enqueue');
      else {
        // The trace context travels with the job, for the worker's dispatch to continue.
        await scope.call('enqueue', () => {
          const traceContext = scope.inject();
          return boundedStoreCall(traceContext ? q.enqueue(event, { traceContext }) : q.enqueue(event), enqueueTimeoutMs, 'enqueue');
        });
      }
    } catch (error) {
      report(error, { phase: 'enqueue', outcome: 'queue_unavailable', event });
      return resultFor('queue_unavailable', event, { retryAfterMs: QUEUE_RETRY_AFTER_SECONDS * 1000, error });
    }
    return resultFor('queued', event);
  };

  // The secret, read once when the receiver was given a function for it.
  const currentVerifyOptions = (): ResolvedVerifyOptions => {
    if (verifyOptions) return verifyOptions;
    const secret = readSecret!();
    if (secret === undefined || secret === '') {
      throw new TypeError('the secret function returned no secret: set the variable it reads (such as TOGETHER_WEBHOOK_SECRET) where the app runs');
    }
    return (verifyOptions = { ...limits, keys: limits.verifier.keys(secretList(secret)) });
  };

  const webhooks: Webhooks = {
    maxBodyBytes: limits.maxBodyBytes,
    on(type, handler) {
      parts.on(type, handler as AnyWebhookHandler);
      return this;
    },
    onAny(handler) {
      parts.onAny(handler);
      return this;
    },
    async handle(delivery) {
      const startedAt = parts.startTimer();
      let input = delivery;
      let scope: DeliveryScope | undefined;
      // With telemetry the scope opens before verification (a rejection is a delivery too), and
      // continues the trace context of the delivery's headers.
      if (parts.traced) {
        let traceContext;
        ({ input, traceContext } = traceContextOf(delivery));
        scope = parts.startScope(traceContext ? { entry: 'handle', traceContext } : { entry: 'handle' });
      }
      let verified;
      try {
        // Raw bytes verify synchronously: awaiting only a Request's body saves a turn per delivery.
        verified = verifyWithResolvedOptions(input, verifyOptions ?? currentVerifyOptions());
        if (verified instanceof Promise) verified = await verified;
      } catch (error) {
        return parts.answered(verificationFailure(error), startedAt, scope);
      }
      if (scope) parts.verifiedIn(scope, verified);
      return parts.answered(await (queue ? enqueue(queue, verified, scope) : parts.process(verified, scope)), startedAt, scope);
    },
    dispatch: (event, options) => dispatchEvent(parts, event, options),
    reportError: report,
    resultForError(error) {
      // An answer like handle()'s: onResult hears of it, and with telemetry it is a delivery with its span.
      const startedAt = parts.startTimer();
      const scope = parts.traced ? parts.startScope({ entry: 'handle' }) : undefined;
      let result: WebhookResult;
      if (error instanceof WebhookVerificationError) result = rejectedResult(error);
      else {
        report(error, { phase: 'adapter', outcome: 'failed' });
        result = resultFor('failed', undefined, { error });
      }
      return parts.answered(result, startedAt, scope);
    },
  };

  // A rejection is the sender's; anything else (a TypeError: a parsed body, no secret) is the
  // integration's mistake, reported so the log says how to fix it.
  const verificationFailure = (error: unknown): WebhookResult => {
    if (error instanceof WebhookVerificationError) return rejectedResult(error);
    report(error, { phase: 'verify', outcome: 'failed' });
    return resultFor('failed', undefined, { error });
  };

  return webhooks;
}
