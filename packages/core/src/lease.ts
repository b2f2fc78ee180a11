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
  /** Stops renewing. A renewal still in flight may land later: fencing makes it answer `false`. */
  stop(): void;
}

/**
 * Renews `key`'s lease every `leaseMs / 3` until stopped. The signal aborts when a renewal
 * answers `false` (another delivery may own the event now), or when renewals keep failing until
 * the next attempt would come after the lease ran out: one failed round trip is not a lost lease.
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
  const intervalMs = Math.max(1, Math.floor(leaseMs / 3));
  // Measured from before each request, so a slow answer never overstates the lease.
  let validUntil = Date.now() + leaseMs;
  let renewing = false;
  const renew = async (): Promise<void> => {
    const sentAt = Date.now();
    try {
      if (await store.renew(key, token, leaseMs)) validUntil = sentAt + leaseMs;
      else controller.abort(new LeaseLostError(`the lease on ${key} was taken over or had lapsed`));
    } catch (error) {
      onRenewError(error);
      if (Date.now() + intervalMs >= validUntil) {
        controller.abort(new LeaseLostError(`the lease on ${key} could not be renewed before it ran out`));
      }
    }
  };
  const timer = setInterval(() => {
    if (controller.signal.aborted || renewing) return;
    renewing = true;
    void renew().finally(() => (renewing = false));
  }, intervalMs);
  // Renewal must not keep a process alive by itself (Node and Bun timers have unref).
  (timer as { unref?: () => void }).unref?.();
  return {
    signal: controller.signal,
    stop() {
      clearInterval(timer);
    },
  };
}
