/**
 * @module lease — keeping a claim alive while handlers run, and telling them when it is lost.
 */
import type { IdempotencyStore } from './store.js';

/** The reason `ctx.signal` aborts with: this delivery no longer owns the event. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

/** A running lease: its signal aborts when the lease is lost. @internal */
export interface HeldLease {
  readonly signal: AbortSignal;
  /** Stops renewing; waits for a renewal already in flight so none lands after completion. */
  stop(): Promise<void>;
}

/**
 * Renews `key`'s lease every `leaseMs / 3` until stopped. A renewal that answers `false` or fails
 * aborts the signal: another delivery may take the event over, so the handler should stop.
 * @internal
 */
export function holdLease(
  store: IdempotencyStore,
  key: string,
  token: string,
  leaseMs: number,
  onRenewError: (error: unknown) => void,
): HeldLease {
  const controller = new AbortController();
  let inFlight: Promise<void> | undefined;
  const renew = async (): Promise<void> => {
    try {
      if (!(await store.renew(key, token, leaseMs))) controller.abort(new LeaseLostError(`the lease on ${key} was lost`));
    } catch (error) {
      onRenewError(error);
      controller.abort(new LeaseLostError(`the lease on ${key} could not be renewed`));
    }
  };
  const timer = setInterval(() => {
    if (controller.signal.aborted || inFlight) return;
    inFlight = renew().finally(() => (inFlight = undefined));
  }, Math.max(1, Math.floor(leaseMs / 3)));
  // Renewal must not keep a process alive by itself (Node and Bun timers have unref).
  (timer as { unref?: () => void }).unref?.();
  return {
    signal: controller.signal,
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
