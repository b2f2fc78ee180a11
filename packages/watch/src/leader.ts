/**
 * @module leader — one poller among many app instances: a lease taken with the idempotency store's
 * `claim`, kept alive by the core's lease keeper, given back with `release`. Whoever holds it polls; when the holder
 * dies its lease lapses and the next instance to ask takes it.
 */
import { boundedStoreCall, createLeaseKeeper, type HeldLease, type IdempotencyStore } from '@x/together-webhooks-core';

/** The answer to "may this instance poll now?". @internal */
export type Leadership = { leading: true } | { leading: false; retryAfterMs: number };

/** A leader lease on one store key. @internal */
export interface LeaderLease {
  /** Takes the lease if it is free, or confirms this instance still holds it. Never rejects. */
  acquire(): Promise<Leadership>;
  /** Whether this instance holds the lease now. */
  readonly leading: boolean;
  /** Stops renewing and gives the lease back, so another instance can take it at its next try. */
  release(): Promise<void>;
}

/** What the lease needs. @internal */
export interface LeaderLeaseOptions {
  store: IdempotencyStore;
  key: string;
  leaseMs: number;
  now: () => number;
  onError: (error: unknown) => void;
  /** Called when a held lease is lost (a refused renewal, or a lapse the store then confirmed). */
  onLost: () => void;
}

/** Creates the lease; nothing is claimed until {@link LeaderLease.acquire}. @internal */
export function leaderLease(options: LeaderLeaseOptions): LeaderLease {
  const { store, key, leaseMs, onError, onLost } = options;
  // The core's lease keeper renews every third of a lease, bounds each store call to a third,
  // and declares the lease lost by its deadline; this file only decides what leading means.
  const storeTimeoutMs = leaseMs / 3;
  const keeper = createLeaseKeeper(store, { leaseMs, storeTimeoutMs, now: options.now });
  let token: string | undefined;
  let lease: HeldLease | undefined;

  const hold = (held: string, sentAt: number): void => {
    token = held;
    const current = keeper.hold(key, held, {
      sentAt,
      onRenewError: onError,
      onLost: (reason) => {
        if (lease !== current) return;
        // Refused: another instance leads now. Expired: unsure, and acquire() asks the store.
        if (reason.reason === 'refused') {
          drop();
          onLost();
        }
      },
    });
    lease = current;
  };

  const drop = (): void => {
    lease?.stop();
    lease = undefined;
    token = undefined;
  };

  // The local certainty ran out (a slow claim, failing renewals): ask the store before giving up,
  // since a new claim would find this instance's own lease and wait for it to lapse.
  const confirm = async (held: string): Promise<boolean> => {
    const sentAt = keeper.now();
    try {
      if ((await boundedStoreCall(store.renew(key, held, leaseMs), storeTimeoutMs, 'renew')) && token === held) {
        hold(held, sentAt);
        return true;
      }
    } catch (error) {
      onError(error);
    }
    return false;
  };

  return {
    get leading() {
      return lease?.held ?? false;
    },
    async acquire() {
      if (token !== undefined) {
        if (lease?.held) return { leading: true };
        const held = token;
        if (await confirm(held)) return { leading: true };
        if (token === held) {
          drop();
          onLost();
        }
      }
      const sentAt = keeper.now();
      try {
        const claim = await boundedStoreCall(store.claim(key, leaseMs), storeTimeoutMs, 'claim');
        if (claim.state === 'claimed') {
          hold(claim.token, sentAt);
          return { leading: true };
        }
        if (claim.state === 'in_progress') return { leading: false, retryAfterMs: Math.max(1, claim.retryAfterMs) };
        onError(new Error(`the store answers "completed" for the leader key ${key}: is another tool using that key?`));
      } catch (error) {
        onError(error);
      }
      return { leading: false, retryAfterMs: Math.max(1, Math.floor(leaseMs / 3)) };
    },
    async release() {
      const held = token;
      drop();
      // A renewal still in flight is not awaited (a hung store would hang stop()): fencing makes
      // it answer false once the lease is released.
      if (held === undefined) return;
      try {
        await boundedStoreCall(store.release(key, held), storeTimeoutMs, 'release');
      } catch (error) {
        // Not given back: it lapses on its own within one lease.
        onError(error);
      }
    },
  };
}
