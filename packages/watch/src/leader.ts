/**
 * @module leader — one poller among many app instances: a lease taken with the idempotency store's
 * `claim`, kept with `renew`, given back with `release`. Whoever holds it polls; when the holder
 * dies its lease lapses and the next instance to ask takes it.
 */
import type { IdempotencyStore } from '@x/together-webhooks-core';

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
  /** Called when a held lease is lost (refused renewal, or renewals failing until it lapsed). */
  onLost: () => void;
}

/** Creates the lease; nothing is claimed until {@link LeaderLease.acquire}. @internal */
export function leaderLease(options: LeaderLeaseOptions): LeaderLease {
  const { store, key, leaseMs, now, onError, onLost } = options;
  let token: string | undefined;
  let validUntil = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let renewing: Promise<void> | undefined;

  const drop = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    token = undefined;
  };

  const renew = async (held: string): Promise<void> => {
    const startedAt = now();
    try {
      if (await store.renew(key, held, leaseMs)) {
        if (token === held) validUntil = startedAt + leaseMs;
        return;
      }
      if (token !== held) return;
      drop();
      onLost();
    } catch (error) {
      onError(error);
      // Unsure whether the store still has us: keep polling only while the last sure lease lasts.
      if (token === held && now() >= validUntil) {
        drop();
        onLost();
      }
    }
  };

  return {
    get leading() {
      return token !== undefined && now() < validUntil;
    },
    async acquire() {
      if (token !== undefined) {
        if (now() < validUntil) return { leading: true };
        // No renewal confirmed the lease in time (a slow claim, a slow store): ask before giving up,
        // since a new claim would find this instance's own lease and wait for it to lapse.
        const held = token;
        const startedAt = now();
        try {
          if (await store.renew(key, held, leaseMs)) {
            if (token === held) {
              validUntil = startedAt + leaseMs;
              return { leading: true };
            }
          }
        } catch (error) {
          onError(error);
        }
        if (token === held) {
          drop();
          onLost();
        }
      }
      const startedAt = now();
      try {
        const claim = await store.claim(key, leaseMs);
        if (claim.state === 'claimed') {
          token = claim.token;
          validUntil = startedAt + leaseMs;
          const held = claim.token;
          // Renewing three times per lease leaves two chances to recover from one slow or failed renewal.
          timer = setInterval(() => {
            renewing ??= renew(held).finally(() => (renewing = undefined));
          }, Math.max(1, Math.floor(leaseMs / 3)));
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
        await store.release(key, held);
      } catch (error) {
        // Not given back: it lapses on its own within one lease.
        onError(error);
      }
    },
  };
}
