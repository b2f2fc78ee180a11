/**
 * @module pipeline — `createWebhooks`: verify a delivery, claim its event id in the idempotency
 * store, run the matching handlers once, and answer with the status the sender should see.
 */
import { logReportedError } from './error-log.js';
import { WebhookVerificationError } from './errors.js';
import type { TogetherEvent, TogetherEventOf, TogetherEventType } from './events.js';
import { createLeaseKeeper, type HeldLease } from './lease.js';
import { numberOption, resolveVerifyOptions, secretList, type ResolvedVerifyOptions } from './options.js';
import { rejectedResult, resultFor, STORE_RETRY_AFTER_SECONDS, type WebhookOutcome, type WebhookResult } from './result.js';
import { boundedStoreCall, isInProcess } from './store-call.js';
import type { ClaimResult, IdempotencyStore } from './store.js';
import { verifyWithResolvedOptions, type WebhookInput } from './verify.js';

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
export type WebhookErrorPhase = 'verify' | 'claim' | 'handler' | 'renew' | 'complete' | 'release' | 'adapter' | 'internal';

/** What `onError` is told beside the error. */
export interface WebhookErrorContext {
  phase: WebhookErrorPhase;
  outcome: WebhookOutcome;
  event?: TogetherEvent;
}

/** Options of {@link createWebhooks}. */
export interface WebhooksOptions {
  /**
   * The webhook secret, or several during a rotation; or a function returning it, read at the
   * first delivery, so that a build step that loads the module without the secret (`next build`)
   * succeeds. A delivery that finds no secret then answers 500 and is reported, never 401.
   */
  secret: string | readonly string[] | (() => string | readonly string[] | undefined);
  /** Where claims and completions are recorded. Without one, nothing is deduplicated. */
  store?: IdempotencyStore;
  /** Replay window in seconds, both directions. Default 300. */
  toleranceSeconds?: number;
  /** Largest body accepted, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
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
  /** Current time in milliseconds since the epoch; for tests. */
  now?: () => number;
}

/** A webhook receiver: register handlers, then pass each delivery to `handle`. */
export interface Webhooks {
  /** Runs `handler` for events of `type` (or any of several types). Chainable. */
  on<T extends TogetherEventType>(type: T | readonly T[], handler: WebhookHandler<T>): Webhooks;
  /** Runs `handler` for every verified event, after the typed handlers. Chainable. */
  onAny(handler: AnyWebhookHandler): Webhooks;
  /** Verifies, deduplicates and handles one delivery. Never throws for anything a sender sends. */
  handle(input: WebhookInput): Promise<WebhookResult>;
  /** Handles an event this app produced itself (trusted: no signature check), same path and result. */
  dispatch(event: TogetherEvent): Promise<WebhookResult>;
  /** Reports an error to `onError` (for adapters: configuration mistakes they detect). */
  reportError(error: unknown, context: WebhookErrorContext): void;
  /**
   * The answer for a delivery an adapter stopped before `handle()`, in the shape `handle()`
   * gives: a {@link WebhookVerificationError} (for example `payload_too_large` while reading) is
   * `rejected` with its status; anything else (a configuration mistake) is reported to `onError`
   * with phase `adapter` and answered 500 `failed`.
   */
  resultForError(error: unknown): WebhookResult;
  /** The body limit adapters enforce while reading a stream. */
  readonly maxBodyBytes: number;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_RETENTION_SECONDS = 604_800; // 7 days
const DEFAULT_KEY_PREFIX = 'together:event:';

/**
 * Creates a webhook receiver.
 *
 * @param options - the secret, the idempotency store, and limits
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
  const leases = store && createLeaseKeeper(store, { leaseMs, storeTimeoutMs });
  // Every call to a store that does I/O is bounded in time; the memory store's settle at once.
  const storeCall: <T>(pending: Promise<T>, operation: string) => Promise<T> =
    store && isInProcess(store) ? (pending) => pending : (pending, operation) => boundedStoreCall(pending, storeTimeoutMs, operation);

  // The secret, read once when the receiver was given a function for it.
  const currentVerifyOptions = (): ResolvedVerifyOptions => {
    if (verifyOptions) return verifyOptions;
    const secret = readSecret!();
    if (secret === undefined || secret === '') {
      throw new TypeError('the secret function returned no secret: set the variable it reads (such as TOGETHER_WEBHOOK_SECRET) where the app runs');
    }
    return (verifyOptions = { ...limits, secrets: secretList(secret) });
  };

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

  const runHandlers = async (handlers: AnyWebhookHandler[], event: TogetherEvent, context: HandlerContext): Promise<void> => {
    for (const handler of handlers) await handler(event, context);
  };

  const processWithoutStore = async (event: TogetherEvent, handlers: AnyWebhookHandler[]): Promise<WebhookResult> => {
    try {
      await runHandlers(handlers, event, new UnownedContext());
    } catch (error) {
      report(error, { phase: 'handler', outcome: 'failed', event });
      return resultFor('failed', event, { error });
    }
    return resultFor('processed', event);
  };

  // Never rejects: a bug anywhere below is reported and answered 500, like a handler error.
  const process = async (event: TogetherEvent): Promise<WebhookResult> => {
    try {
      const handlers = handlersFor(event.type);
      // Nothing to run, nothing to record: acknowledge so the sender stops retrying.
      if (handlers.length === 0) return resultFor('unhandled', event);
      if (!store) return await processWithoutStore(event, handlers);

      const key = keyPrefix + event.id;
      const sentAt = leases!.now();
      let claim: ClaimResult;
      try {
        claim = checkClaim(await storeCall(store.claim(key, leaseMs), 'claim'));
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
      });
      try {
        await runHandlers(handlers, event, new LeasedContext(lease));
      } catch (error) {
        lease.stop();
        report(error, { phase: 'handler', outcome: 'failed', event });
        try {
          await storeCall(store.release(key, token), 'release');
        } catch (releaseError) {
          // The lease lapses on its own; the sender's retry then takes the event over.
          report(releaseError, { phase: 'release', outcome: 'failed', event });
        }
        return resultFor('failed', event, { error });
      }
      lease.stop();
      try {
        if (!(await storeCall(store.complete(key, token, retentionMs), 'complete'))) {
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

  const webhooks: Webhooks = {
    maxBodyBytes: limits.maxBodyBytes,
    on(type, handler) {
      const types: readonly string[] = typeof type === 'string' ? [type] : type;
      if (typeof handler !== 'function') throw new TypeError('handler must be a function');
      for (const name of types) {
        if (typeof name !== 'string' || name.length === 0) throw new TypeError('event type must be a non-empty string');
        const list = typed.get(name) ?? [];
        list.push(handler as AnyWebhookHandler);
        typed.set(name, list);
      }
      return webhooks;
    },
    onAny(handler) {
      if (typeof handler !== 'function') throw new TypeError('handler must be a function');
      any.push(handler);
      return webhooks;
    },
    async handle(input) {
      let event: TogetherEvent;
      try {
        // Raw bytes verify synchronously: awaiting only a Request's body saves a turn per delivery.
        const verified = verifyWithResolvedOptions(input, verifyOptions ?? currentVerifyOptions());
        event = verified instanceof Promise ? await verified : verified;
      } catch (error) {
        if (error instanceof WebhookVerificationError) return rejectedResult(error);
        // A TypeError here is the integration's mistake (for example a parsed body): say how to fix it.
        report(error, { phase: 'verify', outcome: 'failed' });
        return resultFor('failed', undefined, { error });
      }
      return process(event);
    },
    async dispatch(event) {
      assertEvent(event);
      return process(event);
    },
    reportError: report,
    resultForError(error) {
      if (error instanceof WebhookVerificationError) return rejectedResult(error);
      report(error, { phase: 'adapter', outcome: 'failed' });
      return resultFor('failed', undefined, { error });
    },
  };


  return webhooks;
}

// Without a store nothing can take an event over, so this signal never aborts; it is created
// only if a handler reads it (an AbortController costs more than the rest of a delivery).
class UnownedContext implements HandlerContext {
  private controller: AbortController | undefined;
  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }
}

// The context of a claimed delivery: only the lease's signal, not the lease itself.
class LeasedContext implements HandlerContext {
  constructor(private readonly lease: HeldLease) {}
  get signal(): AbortSignal {
    return this.lease.signal;
  }
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
