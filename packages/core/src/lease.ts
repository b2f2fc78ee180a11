/**
 * @module lease — keeping claims alive while handlers run, and telling handlers when one is lost.
 */
import type { IdempotencyStore } from './store.js';

/** The reason `ctx.signal` aborts with: this delivery no longer owns the event. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

/** A claim being kept alive. @internal */
export interface HeldLease {
  /** Aborts when the lease is lost. Created on first read: most handlers never look at it. */
  readonly signal: AbortSignal;
  /** Stops renewing. A renewal still in flight may land later: fencing makes it answer `false`. */
  stop(): void;
}

/** Keeps the leases of one receiver's in-flight deliveries alive. @internal */
export interface LeaseKeeper {
  hold(key: string, token: string, onRenewError: (error: unknown) => void): HeldLease;
}

/** One held lease; a class so the hot path allocates one small object per delivery. */
class Lease implements HeldLease {
  renewing = false;
  lost: LeaseLostError | undefined = undefined;
  private controller: AbortController | undefined = undefined;

  constructor(
    readonly key: string,
    readonly token: string,
    public renewDueAt: number,
    public validUntil: number,
    readonly onRenewError: (error: unknown) => void,
    private readonly held: Set<Lease>,
  ) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.lost) this.controller.abort(this.lost);
    }
    return this.controller.signal;
  }

  lose(reason: LeaseLostError): void {
    if (this.lost) return;
    this.lost = reason;
    this.held.delete(this);
    this.controller?.abort(reason);
  }

  stop(): void {
    this.held.delete(this);
  }
}

/**
 * Renews each held lease every `leaseMs / 3` from one shared timer that ticks every
 * `leaseMs / 12` while any lease is held (so a renewal is at most a twelfth of the lease late),
 * and a delivery costs no timer of its own. A lease is lost when a
 * renewal answers `false` (another delivery may own the event now), or when renewals keep
 * failing until the next attempt would come after the lease ran out: one failed round trip is
 * not a lost lease.
 * @internal
 */
export function createLeaseKeeper(store: IdempotencyStore, leaseMs: number): LeaseKeeper {
  const renewEveryMs = leaseMs / 3;
  const tickMs = Math.max(1, Math.floor(leaseMs / 12));
  const held = new Set<Lease>();
  let timer: ReturnType<typeof setInterval> | undefined;

  const renew = async (lease: Lease, now: number): Promise<void> => {
    lease.renewing = true;
    lease.renewDueAt = now + renewEveryMs;
    try {
      // Measured from before the request, so a slow answer never overstates the lease.
      if (await store.renew(lease.key, lease.token, leaseMs)) lease.validUntil = now + leaseMs;
      else lease.lose(new LeaseLostError(`the lease on ${lease.key} was taken over or had lapsed`));
    } catch (error) {
      lease.onRenewError(error);
      lease.renewDueAt = now; // retry at the next tick
      if (Date.now() + tickMs >= lease.validUntil) {
        lease.lose(new LeaseLostError(`the lease on ${lease.key} could not be renewed before it ran out`));
      }
    } finally {
      lease.renewing = false;
    }
  };

  const tick = (): void => {
    // The timer outlives its last lease by one tick: back-to-back deliveries reuse it.
    if (held.size === 0) {
      clearInterval(timer);
      timer = undefined;
      return;
    }
    const now = Date.now();
    for (const lease of held) {
      if (!lease.renewing && lease.lost === undefined && lease.renewDueAt <= now) void renew(lease, now);
    }
  };

  return {
    hold(key, token, onRenewError) {
      const now = Date.now();
      const lease = new Lease(key, token, now + renewEveryMs, now + leaseMs, onRenewError, held);
      held.add(lease);
      if (timer === undefined) {
        timer = setInterval(tick, tickMs);
        // Renewal must not keep a process alive by itself (Node and Bun timers have unref).
        (timer as { unref?: () => void }).unref?.();
      }
      return lease;
    },
  };
}
