/**
 * @module router — `createEventRouter`: claim an event's id in the idempotency store, run the
 * matching handlers once, record the completion, and answer with the outcome. No secret: it is
 * what the watcher (in process), queue workers and `createWebhooks` feed.
 */
import { logReportedError } from './error-log.js';
import type { TogetherEvent, TogetherEventOf, TogetherEventType } from './events.js';
import { createLeaseKeeper, type HeldLease } from './lease.js';
import { numberOption } from './options.js';
import { resultFor, STORE_RETRY_AFTER_SECONDS, type WebhookOutcome, type WebhookResult } from './result.js';
import { boundedStoreCall, isInProcess } from './store-call.js';
import type { ClaimResult, IdempotencyStore } from './store.js';
import type { DeliveryScope, DeliveryStart, DispatchOptions, WebhookTelemetry } from './telemetry.js';

/** The event a handler of `T` receives; a list of types gives the union of their events. */
export type EventFor<T extends TogetherEventType> = T extends TogetherEventType ? TogetherEventOf<T> : never;

/** What a handler gets beside the event. */
export interface HandlerContext {
  /** Aborts when this delivery's claim is lost (a renewal failed or was refused): stop work. */
  signal: AbortSignal;
}

/** A handler for the event types `T`. A thrown error (or rejection) makes the delivery `failed`. */
export type WebhookHandler<T extends TogetherEventType> = (event: EventFor<T>, context: HandlerContext) => unknown;

/** A handler for every verified event, catalog types or not. */
export type AnyWebhookHandler = (event: TogetherEvent, context: HandlerContext) => unknown;

/** Where an error reported to `onError` came from. */
export type WebhookErrorPhase =
  | 'verify'
  | 'enqueue'
  | 'claim'
  | 'handler'
  | 'renew'
  | 'complete'
  | 'release'
  | 'adapter'
  | 'telemetry'
  | 'internal';

/** What `onError` is told beside the error. */
export interface WebhookErrorContext {
  phase: WebhookErrorPhase;
  outcome: WebhookOutcome;
  event?: TogetherEvent;
}

/** What `onResult` is told beside the result. */
export interface ResultContext {
  /** Milliseconds from the call (`handle` or `dispatch`) to its answer. */
  durationMs: number;
}

/** Options of {@link createEventRouter} (and of `createWebhooks`, which adds the verification ones). */
export interface EventRouterOptions {
  /** Where claims and completions are recorded. Without one, nothing is deduplicated. */
  store?: IdempotencyStore;
  /** How long a claim holds before another delivery may take it over; renewed every third. Default 60 000. */
  leaseMs?: number;
  /** How long a processed event id is remembered, in seconds; more than 0. Default 7 days. */
  retentionSeconds?: number;
  /**
   * Longest any one store call may take before it counts as failed (claim: 503; renewal: a
   * failed renewal; completion: reported, answered 200). At most `leaseMs`. Default `leaseMs / 3`.
   */
  storeTimeoutMs?: number;
  /** Prefix of store keys, `<keyPrefix><event id>`. Default `together:event:`. */
  keyPrefix?: string;
  /**
   * Receives handler errors, store failures and configuration mistakes, for logging. The only
   * place their details go: response bodies never carry them. Must not throw (if it does, the
   * error is ignored). Default: one line each on `console.error`, with the phase and event id.
   */
  onError?: (error: unknown, context: WebhookErrorContext) => void;
  /**
   * Called once with every answer (`dispatch`, and `handle` of a receiver, rejections included),
   * with how long it took: the one hook for logging and metrics, whatever the adapter. Must not
   * throw (if it does, the error is ignored).
   */
  onResult?: (result: WebhookResult, context: ResultContext) => void;
  /**
   * Traces and metrics of every delivery: `openTelemetry()` from `@x/together-webhooks-otel`, or
   * any {@link WebhookTelemetry}. One scope per `handle` and `dispatch`, with the handlers run
   * inside it and the store calls reported to it. Without it, no telemetry code runs.
   */
  telemetry?: WebhookTelemetry;
}

/** Routes trusted events to typed handlers, once per event id. */
export interface EventRouter {
  /** Runs `handler` for events of `type` (or any of several types). Chainable. */
  on<T extends TogetherEventType>(type: T | readonly T[], handler: WebhookHandler<T>): this;
  /** Runs `handler` for every event, after the typed handlers. Chainable. */
  onAny(handler: AnyWebhookHandler): this;
  /**
   * Handles an event the app trusts (it produced or verified it): claim, handlers, completion.
   * Never rejects. A queue worker passes the `traceContext` that travelled with the job.
   */
  dispatch(event: TogetherEvent, options?: DispatchOptions): Promise<WebhookResult>;
  /** Reports an error to `onError` (for adapters and workers: mistakes they detect). */
  reportError(error: unknown, context: WebhookErrorContext): void;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_RETENTION_SECONDS = 604_800; // 7 days
const DEFAULT_KEY_PREFIX = 'together:event:';

/** A router's parts, for `createWebhooks` to build on. @internal */
export interface RouterParts {
  /** Registers a typed handler. */
  on(type: string | readonly string[], handler: AnyWebhookHandler): void;
  /** Registers a handler for every event. */
  onAny(handler: AnyWebhookHandler): void;
  /** Claims, runs and completes a checked event, through `scope` when traced; never rejects. */
  process(event: TogetherEvent, scope?: DeliveryScope, signal?: AbortSignal): Promise<WebhookResult>;
  /** Reports to `onError`, which never throws out of it. */
  report: (error: unknown, context: WebhookErrorContext) => void;
  /**
   * Tells `onResult` of an answer begun at `startedAt` (from {@link startTimer}), ends `scope`
   * with it, and returns it.
   */
  answered(result: WebhookResult, startedAt: number, scope?: DeliveryScope): WebhookResult;
  /** Whether the `telemetry` option was given: test it before building a {@link DeliveryStart}. */
  readonly traced: boolean;
  /** Opens a delivery's scope; `undefined` when the telemetry failed to (reported to `onError`). */
  startScope(start: DeliveryStart): DeliveryScope | undefined;
  /** Tells `scope` the event of a verified delivery; an error it throws is reported, never thrown. */
  verifiedIn(scope: DeliveryScope, event: TogetherEvent): void;
  /** A start time for {@link RouterParts.answered}; 0 when nobody listens (no clock read). */
  startTimer(): number;
}

/** Checks the router options and builds its parts. @internal */
export function routerParts(options: EventRouterOptions): RouterParts {
  const leaseMs = numberOption(options.leaseMs, 'leaseMs', DEFAULT_LEASE_MS);
  if (leaseMs < 3) throw new RangeError('leaseMs must be at least 3 milliseconds');
  const retentionMs = numberOption(options.retentionSeconds, 'retentionSeconds', DEFAULT_RETENTION_SECONDS) * 1000;
  // Every store refuses a retention of 0 (nothing to remember), so refuse it here, before any delivery.
  if (retentionMs <= 0) throw new RangeError('retentionSeconds must be more than 0');
  const storeTimeoutMs = numberOption(options.storeTimeoutMs, 'storeTimeoutMs', leaseMs / 3);
  if (storeTimeoutMs <= 0 || storeTimeoutMs > leaseMs) throw new RangeError('storeTimeoutMs must be more than 0 and at most leaseMs');
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  if (typeof keyPrefix !== 'string') throw new TypeError('keyPrefix must be a string');
  const store = options.store;
  if (store !== undefined) assertStore(store);
  const onError = options.onError ?? logReportedError;
  if (typeof onError !== 'function') throw new TypeError('onError must be a function');
  const onResult = options.onResult;
  if (onResult !== undefined && typeof onResult !== 'function') throw new TypeError('onResult must be a function');
  const telemetry = options.telemetry;
  if (telemetry !== undefined && typeof (telemetry as Partial<WebhookTelemetry> | null)?.startDelivery !== 'function') {
    throw new TypeError('telemetry must be a WebhookTelemetry: startDelivery() is missing (pass openTelemetry() from @x/together-webhooks-otel)');
  }
  const leases = store && createLeaseKeeper(store, { leaseMs, storeTimeoutMs });
  // Every call to a store that does I/O is bounded in time; the memory store's settle at once.
  const storeCall: <T>(pending: Promise<T>, operation: string) => Promise<T> =
    store && isInProcess(store) ? (pending) => pending : (pending, operation) => boundedStoreCall(pending, storeTimeoutMs, operation);

  // The pipeline's store calls, each bounded; made once here, so an untraced delivery allocates no closure for them.
  const claimKey = (key: string) => storeCall(store!.claim(key, leaseMs), 'claim');
  const completeKey = (key: string, token: string) => storeCall(store!.complete(key, token, retentionMs), 'complete');
  const releaseKey = (key: string, token: string) => storeCall(store!.release(key, token), 'release');

  const typed = new Map<string, AnyWebhookHandler[]>();
  const any: AnyWebhookHandler[] = [];

  const report = (error: unknown, context: WebhookErrorContext): void => {
    try {
      onError(error, context);
    } catch {
      // A logging hook that throws must not change the answer the sender gets.
    }
  };

  const handlersFor = (type: string): AnyWebhookHandler[] => {
    const forType = typed.get(type);
    if (!forType) return any;
    return any.length === 0 ? forType : [...forType, ...any];
  };

  // The handlers, one after another. What a handler returns is awaited only when it may be a
  // promise: with synchronous handlers, the common case, a delivery makes no promise and no
  // suspended function for them, which is most of what it would otherwise allocate.
  const callHandlers = (handlers: AnyWebhookHandler[], event: TogetherEvent, context: HandlerContext): Promise<void> | undefined => {
    for (let i = 0; i < handlers.length; i++) {
      const returned = handlers[i]!(event, context);
      if (mayBeThenable(returned)) return awaitRemaining(returned, handlers, i + 1, event, context);
    }
    return undefined;
  };

  const awaitRemaining = async (
    pending: unknown,
    handlers: AnyWebhookHandler[],
    next: number,
    event: TogetherEvent,
    context: HandlerContext,
  ): Promise<void> => {
    await pending;
    for (let i = next; i < handlers.length; i++) await handlers[i]!(event, context);
  };

  // Untraced, a synchronous throw and a rejection both end in the caller's catch. A scope's run()
  // is given what it always was, a function returning a promise that never throws: a telemetry
  // that chains on it keeps working.
  const runHandlers = (handlers: AnyWebhookHandler[], event: TogetherEvent, context: HandlerContext, scope?: DeliveryScope) =>
    scope ? scope.run(async () => callHandlers(handlers, event, context)) : callHandlers(handlers, event, context);

  const processWithoutStore = async (
    event: TogetherEvent,
    handlers: AnyWebhookHandler[],
    scope?: DeliveryScope,
    signal?: AbortSignal,
  ): Promise<WebhookResult> => {
    try {
      const running = runHandlers(handlers, event, new UnownedContext(signal), scope);
      if (running) await running;
    } catch (error) {
      report(error, { phase: 'handler', outcome: 'failed', event });
      return resultFor('failed', event, { error });
    }
    return resultFor('processed', event);
  };

  // Never rejects: a bug anywhere below is reported and answered 500, like a handler error.
  // With a scope (telemetry), each store call and the handlers run through it; without one, each
  // of those points costs one test of `scope`, and nothing else.
  const process = async (event: TogetherEvent, scope?: DeliveryScope, signal?: AbortSignal): Promise<WebhookResult> => {
    try {
      const handlers = handlersFor(event.type);
      // Nothing to run, nothing to record: acknowledge so the sender stops retrying.
      if (handlers.length === 0) return resultFor('unhandled', event);
      if (!store) return await processWithoutStore(event, handlers, scope, signal);

      const key = keyPrefix + event.id;
      const sentAt = leases!.now();
      let claim: ClaimResult;
      try {
        claim = checkClaim(await (scope ? scope.call('claim', () => claimKey(key)) : claimKey(key)));
      } catch (error) {
        report(error, { phase: 'claim', outcome: 'store_unavailable', event });
        return resultFor('store_unavailable', event, { retryAfterMs: STORE_RETRY_AFTER_SECONDS * 1000, error });
      }
      if (claim.state === 'completed') return resultFor('duplicate', event);
      if (claim.state === 'in_progress') return resultFor('in_progress', event, { retryAfterMs: claim.retryAfterMs });

      const { token } = claim;
      const lease = leases!.hold(key, token, {
        sentAt,
        onRenewError: (error) => report(error, { phase: 'renew', outcome: 'in_progress', event }),
        traceRenewal: scope && ((renew) => scope.call('renew', renew)),
      });
      try {
        const running = runHandlers(handlers, event, new LeasedContext(lease, signal), scope);
        if (running) await running;
      } catch (error) {
        lease.stop();
        report(error, { phase: 'handler', outcome: 'failed', event });
        try {
          await (scope ? scope.call('release', () => releaseKey(key, token)) : releaseKey(key, token));
        } catch (releaseError) {
          // The lease lapses on its own; the sender's retry then takes the event over.
          report(releaseError, { phase: 'release', outcome: 'failed', event });
        }
        return resultFor('failed', event, { error });
      }
      lease.stop();
      try {
        if (!(await (scope ? scope.call('complete', () => completeKey(key, token)) : completeKey(key, token)))) {
          report(new Error(`the claim on ${key} was lost before completion: a later delivery may run the handlers again`), {
            phase: 'complete',
            outcome: 'processed',
            event,
          });
        }
      } catch (error) {
        // The work is done: asking for a retry would repeat it. The lease lapses instead (spec 6).
        report(error, { phase: 'complete', outcome: 'processed', event });
      }
      return resultFor('processed', event);
    } catch (error) {
      report(error, { phase: 'internal', outcome: 'failed', event });
      return resultFor('failed', event, { error });
    }
  };

  const register = (type: string | readonly string[], handler: AnyWebhookHandler): void => {
    const types: readonly string[] = typeof type === 'string' ? [type] : type;
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    for (const name of types) {
      if (typeof name !== 'string' || name.length === 0) throw new TypeError('event type must be a non-empty string');
      const list = typed.get(name) ?? [];
      list.push(handler);
      typed.set(name, list);
    }
  };

  // performance.now() where it exists (every runtime here), read only when onResult listens.
  const clock = (): number => globalThis.performance?.now() ?? Date.now();

  return {
    on: register,
    onAny(handler) {
      if (typeof handler !== 'function') throw new TypeError('handler must be a function');
      any.push(handler);
    },
    process,
    report,
    startTimer: () => (onResult ? clock() : 0),
    answered(result, startedAt, scope) {
      if (onResult) {
        try {
          onResult(result, { durationMs: clock() - startedAt });
        } catch {
          // A metrics hook that throws must not change the answer.
        }
      }
      if (scope) {
        try {
          scope.end(result);
        } catch (error) {
          report(error, { phase: 'telemetry', outcome: result.outcome, ...(result.event && { event: result.event }) });
        }
      }
      return result;
    },
    traced: telemetry !== undefined,
    startScope(start) {
      try {
        return telemetry!.startDelivery(start);
      } catch (error) {
        // Telemetry that fails must not fail the delivery: it goes untraced, and the log says why.
        report(error, { phase: 'telemetry', outcome: 'failed', ...(start.event && { event: start.event }) });
        return undefined;
      }
    },
    verifiedIn(scope, event) {
      try {
        scope.verified(event);
      } catch (error) {
        report(error, { phase: 'telemetry', outcome: 'failed', event });
      }
    },
  };
}

/**
 * Creates an event router: typed handlers, run once per event id through the idempotency store,
 * for events the app already trusts. It needs no secret: the watcher's in-process `deliver`,
 * queue workers and `createWebhooks` (a router plus `handle()`) feed it.
 *
 * @param options - the store, lease and retention, and the `onError` / `onResult` hooks
 * @returns a router: `on`, `onAny`, `dispatch`
 * @example
 * ```ts
 * import { createEventRouter, memoryStore } from '@x/together-webhooks-core';
 *
 * const router = createEventRouter({ store: memoryStore() });
 * router.on('fine_tune.completed', (event) => console.log('model ready:', event.data.model_output_name));
 * const result = await router.dispatch(event); // result.outcome: 'processed', 'duplicate', ...
 * ```
 */
export function createEventRouter(options: EventRouterOptions = {}): EventRouter {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const parts = routerParts(options);
  const router: EventRouter = {
    on(type, handler) {
      parts.on(type, handler as AnyWebhookHandler);
      return this;
    },
    onAny(handler) {
      parts.onAny(handler);
      return this;
    },
    dispatch: (event, options) => dispatchEvent(parts, event, options),
    reportError: parts.report,
  };
  return router;
}

/**
 * `dispatch()` of a router or a receiver: a checked event through the parts, told to `onResult`
 * and, when traced, to a scope that continues `options.traceContext`. @internal
 */
export async function dispatchEvent(parts: RouterParts, event: TogetherEvent, options?: DispatchOptions): Promise<WebhookResult> {
  const startedAt = parts.startTimer();
  assertEvent(event);
  const signal = options?.signal;
  if (!parts.traced) return parts.answered(await parts.process(event, undefined, signal), startedAt);
  const traceContext = options?.traceContext;
  const scope = parts.startScope(traceContext ? { entry: 'dispatch', event, traceContext } : { entry: 'dispatch', event });
  return parts.answered(await parts.process(event, scope, signal), startedAt, scope);
}

// Without a store nothing can take an event over, so this signal aborts only with the caller's
// (dispatch's `signal`); it is created only if a handler reads it (an AbortController costs more
// than the rest of a delivery).
class UnownedContext implements HandlerContext {
  private controller: AbortController | undefined;
  constructor(private readonly outer?: AbortSignal) {}
  get signal(): AbortSignal {
    return this.outer ?? (this.controller ??= new AbortController()).signal;
  }
}

// The context of a claimed delivery: only the lease's signal (and the caller's), not the lease.
class LeasedContext implements HandlerContext {
  private either: AbortSignal | undefined;
  constructor(
    private readonly lease: HeldLease,
    private readonly outer?: AbortSignal,
  ) {}
  get signal(): AbortSignal {
    return this.outer ? (this.either ??= eitherSignal(this.lease.signal, this.outer)) : this.lease.signal;
  }
}

/** A signal that aborts with the first of two, with its reason (AbortSignal.any is not everywhere the core runs). */
function eitherSignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  if (a.aborted) return a;
  if (b.aborted) return b;
  const controller = new AbortController();
  const follow = (source: AbortSignal) => () => controller.abort(source.reason);
  a.addEventListener('abort', follow(a), { once: true });
  b.addEventListener('abort', follow(b), { once: true });
  return controller.signal;
}

// What `await` would call `then` on: an object or a function (a promise, or any thenable).
function mayBeThenable(value: unknown): boolean {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

function assertStore(store: IdempotencyStore): void {
  for (const method of ['claim', 'renew', 'complete', 'release'] as const) {
    if (typeof (store as Partial<IdempotencyStore>)[method] !== 'function') {
      throw new TypeError(`store must implement IdempotencyStore: ${method}() is missing`);
    }
  }
}

// A store answer that is not one of the three states is a broken store: fail closed.
function checkClaim(claim: ClaimResult): ClaimResult {
  const state = (claim as Partial<ClaimResult> | undefined)?.state;
  if (state === 'claimed' && typeof (claim as { token?: unknown }).token === 'string') return claim;
  if (state === 'completed') return claim;
  if (state === 'in_progress' && Number.isFinite((claim as { retryAfterMs?: unknown }).retryAfterMs)) return claim;
  throw new TypeError('the store answered claim() with something other than claimed, completed or in_progress');
}

function assertEvent(event: TogetherEvent): void {
  const candidate = event as Partial<Record<'id' | 'type' | 'data', unknown>> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.id !== 'string' ||
    candidate.id.length === 0 ||
    typeof candidate.type !== 'string' ||
    candidate.type.length === 0 ||
    typeof candidate.data !== 'object' ||
    candidate.data === null
  ) {
    throw new TypeError('dispatch() needs an event with a non-empty string id and type and an object data');
  }
}
