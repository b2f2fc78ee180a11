/**
 * @module lease — keeping claims alive while their holders work, and telling a holder, no later
 * than its lease's deadline, that the lease is lost. The one lease keeper: the pipeline's
 * deliveries and the watcher's leader both use it.
 */
import { isBranded } from './errors.js';
import type { IdempotencyStore } from './store.js';
import { boundedStoreCall } from './store-call.js';

/** The reason `ctx.signal` aborts with: this holder no longer owns the key. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';

  /**
   * @param message - what happened
   * @param reason - `refused`: a renewal answered that the key is not this holder's any more;
   *   `expired`: the deadline came without a confirmed renewal (the store may still hold it)
   */
  constructor(
    message: string,
    readonly reason: 'refused' | 'expired',
  ) {
    super(message);
  }

  /** Recognises instances of every build of the package (ESM, CJS, portable). */
  static override [Symbol.hasInstance](value: unknown): value is LeaseLostError {
    return isBranded(this, value);
  }

  /** The mark every build recognises. @internal */
  get 'together-webhooks:error'(): string {
    return 'LeaseLostError';
  }
}

/** A claim being kept alive. */
export interface HeldLease {
  /** Aborts with a {@link LeaseLostError} when the lease is lost. Created on first read. */
  readonly signal: AbortSignal;
  /** Whether the lease is still sure: not lost, and its deadline not passed. */
  readonly held: boolean;
  /** Stops renewing. A renewal still in flight may land later: fencing makes it answer `false`. */
  stop(): void;
}

/** What {@link LeaseKeeper.hold} needs beside the key and token. */
export interface HoldOptions {
  /**
   * When the claim request was sent (by the keeper's clock): the first deadline is this plus
   * `leaseMs`, so a slow claim answer never extends it.
   */
  sentAt: number;
  /** Told of each renewal that failed or timed out (the lease may still be kept by the next one). */
  onRenewError(error: unknown): void;
  /** Told once when the lease is lost, at the moment the signal aborts. */
  onLost?(reason: LeaseLostError): void;
  /**
   * Runs each renewal through it (the pipeline's telemetry: a child span of the delivery). It must
   * call `renew` once and return what it returns.
   */
  traceRenewal?: ((renew: () => Promise<boolean>) => Promise<boolean>) | undefined;
}

/** Keeps the leases of one store's holders alive. */
export interface LeaseKeeper {
  /** Starts keeping the lease that `token` holds on `key`. */
  hold(key: string, token: string, options: HoldOptions): HeldLease;
  /** The keeper's clock: pass its reading before a claim as {@link HoldOptions.sentAt}. */
  now(): number;
}

/** Options of {@link createLeaseKeeper}. */
export interface LeaseKeeperOptions {
  /** Lease length in milliseconds, as passed to `claim` and `renew`. */
  leaseMs: number;
  /** Longest a renewal may take before it counts as failed. Default `leaseMs / 3`. */
  storeTimeoutMs?: number;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** One held lease; a class so the hot path allocates one small object per delivery. */
class Lease implements HeldLease {
  renewing = false;
  lost: LeaseLostError | undefined = undefined;
  private controller: AbortController | undefined = undefined;

  constructor(
    readonly key: string,
    readonly token: string,
    /** Renew when the clock reaches this. */
    public renewDueAt: number,
    /** The deadline: the lease is sure until then, from the send time of the last confirmed request. */
    public validUntil: number,
    readonly options: HoldOptions,
    private readonly keeper: { held: Set<Lease>; now: () => number },
  ) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.lost) this.controller.abort(this.lost);
    }
    return this.controller.signal;
  }

  get held(): boolean {
    return this.lost === undefined && this.keeper.now() < this.validUntil;
  }

  lose(reason: LeaseLostError): void {
    if (this.lost) return;
    this.lost = reason;
    this.keeper.held.delete(this);
    this.controller?.abort(reason);
    try {
      this.options.onLost?.(reason);
    } catch {
      // A hook that throws must not stop the keeper's timer.
    }
  }

  stop(): void {
    this.keeper.held.delete(this);
  }
}

/**
 * Keeps leases alive from one shared timer, so a holder costs no timer of its own. The timer
 * ticks every `leaseMs / 12` while any lease is held; a lease is renewed when a third of a lease
 * has passed since its last renewal was sent, each renewal bounded by `storeTimeoutMs`.
 *
 * A lease is lost when a renewal answers `false` (another holder may own the key now), or when
 * its deadline comes without a confirmed renewal, whatever a renewal in flight is doing: the
 * deadline counts from the moment the last confirmed request (the claim, then each renewal) was
 * sent, and the loss is declared at the last tick before it, so the signal aborts no later than
 * the deadline. One failed renewal is not a lost lease: the next tick tries again.
 *
 * @param store - the store the leases were claimed in
 * @param options - the lease length, the renewal bound and the clock
 * @returns a keeper: `hold` each claim, `stop` the lease when done
 * @example
 * ```ts
 * import { createLeaseKeeper } from '@x/together-webhooks-core';
 *
 * const leases = createLeaseKeeper(store, { leaseMs: 30_000 });
 * const sentAt = leases.now();
 * const claim = await store.claim('reports:nightly', 30_000);
 * if (claim.state === 'claimed') {
 *   const lease = leases.hold('reports:nightly', claim.token, { sentAt, onRenewError: console.error });
 *   try {
 *     await buildReport({ signal: lease.signal });
 *   } finally {
 *     lease.stop();
 *   }
 * }
 * ```
 */
export function createLeaseKeeper(store: IdempotencyStore, options: LeaseKeeperOptions): LeaseKeeper {
  const { leaseMs } = options;
  const storeTimeoutMs = options.storeTimeoutMs ?? leaseMs / 3;
  const now = options.now ?? Date.now;
  const renewEveryMs = leaseMs / 3;
  const tickMs = Math.max(1, Math.floor(leaseMs / 12));
  const held = new Set<Lease>();
  const keeper = { held, now };
  let timer: ReturnType<typeof setInterval> | undefined;

  const renew = async (lease: Lease, at: number): Promise<void> => {
    lease.renewing = true;
    lease.renewDueAt = at + renewEveryMs;
    try {
      const renewal = () => boundedStoreCall(store.renew(lease.key, lease.token, leaseMs), storeTimeoutMs, 'renew');
      const { traceRenewal } = lease.options;
      const renewed = await (traceRenewal ? traceRenewal(renewal) : renewal());
      if (lease.lost) return;
      // Measured from before the request, so a slow answer never overstates the lease.
      if (renewed) lease.validUntil = Math.max(lease.validUntil, at + leaseMs);
      else lease.lose(new LeaseLostError(`the lease on ${lease.key} was taken over or had lapsed`, 'refused'));
    } catch (error) {
      if (lease.lost) return;
      lease.options.onRenewError(error);
      lease.renewDueAt = at; // retry at the next tick
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
    const at = now();
    for (const lease of held) {
      // The next tick may come after the deadline: declare the loss now, at the last tick before it.
      if (at + tickMs >= lease.validUntil) {
        lease.lose(new LeaseLostError(`the lease on ${lease.key} ran out before a renewal was confirmed`, 'expired'));
      } else if (!lease.renewing && lease.renewDueAt <= at) {
        void renew(lease, at);
      }
    }
  };

  return {
    now,
    hold(key, token, holdOptions) {
      const { sentAt } = holdOptions;
      const lease = new Lease(key, token, sentAt + renewEveryMs, sentAt + leaseMs, holdOptions, keeper);
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
