/**
 * @module stores/memory — the idempotency contract inside one process: for tests and
 * single-instance apps. Bounded, and free of timers that would keep a process alive.
 */
import { markInProcess } from '../store-call.js';
import type { IdempotencyStore } from '../store.js';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** Most records kept; past it the oldest completed (then expired) records go first. Default 100 000. */
  maxEntries?: number;
  /** Current time in milliseconds; for tests. Default `Date.now`. */
  now?: () => number;
}

interface LiveClaim {
  token: string;
  expiresAt: number;
}

/**
 * An {@link IdempotencyStore} in this process's memory. It deduplicates deliveries that reach
 * this process only: behind a load balancer use the Redis or DynamoDB store.
 *
 * @param options - `maxEntries` bounds memory; live claims are never evicted
 * @returns a store for `createWebhooks({ store })`
 * @example
 * ```ts
 * import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
 *
 * const webhooks = createWebhooks({ secret, store: memoryStore({ maxEntries: 10_000 }) });
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): IdempotencyStore {
  const maxEntries = options.maxEntries ?? 100_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  const now = options.now ?? Date.now;
  // Two maps, each in expiry order, so that eviction takes from the front of one and never walks
  // past records it must keep: O(1) amortised however many claims are live.
  // Claims, re-inserted at each claim and renewal: with one lease length, the order of expiry.
  const claims = new Map<string, LiveClaim>();
  // Completed records (key -> expiry), in the order of completion: with one retention, of expiry.
  const completed = new Map<string, number>();
  let tokens = 0;

  const owned = (key: string, token: string, at: number): LiveClaim | undefined => {
    const claim = claims.get(key);
    return claim?.token === token && claim.expiresAt > at ? claim : undefined;
  };

  // One iterator kept across evictions: a Map leaves a hole for each deleted entry until it is
  // rehashed, and a fresh iterator would walk over every hole at the front each time. A live
  // iterator also yields entries added after it was made; once it is done it is made anew.
  let oldestCompleted = completed.keys();
  const evictOldestCompleted = (): boolean => {
    let next = oldestCompleted.next();
    if (next.done) {
      oldestCompleted = completed.keys();
      next = oldestCompleted.next();
    }
    if (next.done) return false;
    completed.delete(next.value);
    return true;
  };

  // The oldest completed records go first, then lapsed claims from the front; live claims stay.
  const evict = (at: number): void => {
    while (claims.size + completed.size > maxEntries) {
      if (evictOldestCompleted()) continue;
      // Rare (nothing completed is left): a fresh look at the oldest claim, which stays if live.
      const oldestClaim = claims.entries().next();
      if (oldestClaim.done || oldestClaim.value[1].expiresAt > at) return;
      claims.delete(oldestClaim.value[0]);
    }
  };

  // Every answer below is settled before the call returns: nothing for storeTimeoutMs to bound.
  return markInProcess<IdempotencyStore>({
    claim(key, leaseMs) {
      const at = now();
      const claim = claims.get(key);
      if (claim && claim.expiresAt > at) return Promise.resolve({ state: 'in_progress', retryAfterMs: claim.expiresAt - at });
      const doneUntil = completed.get(key);
      if (doneUntil !== undefined && doneUntil > at) return Promise.resolve({ state: 'completed' });
      if (claim) claims.delete(key);
      if (doneUntil !== undefined) completed.delete(key);
      const token = `${++tokens}`;
      claims.set(key, { token, expiresAt: at + leaseMs });
      evict(at);
      return Promise.resolve({ state: 'claimed', token });
    },
    renew(key, token, leaseMs) {
      const at = now();
      const claim = owned(key, token, at);
      if (!claim) return Promise.resolve(false);
      claim.expiresAt = at + leaseMs;
      // Moved to the back: the map stays in expiry order.
      claims.delete(key);
      claims.set(key, claim);
      return Promise.resolve(true);
    },
    complete(key, token, retentionMs) {
      const at = now();
      if (!owned(key, token, at)) return Promise.resolve(false);
      claims.delete(key);
      completed.set(key, at + retentionMs);
      evict(at);
      return Promise.resolve(true);
    },
    release(key, token) {
      if (!owned(key, token, now())) return Promise.resolve(false);
      claims.delete(key);
      return Promise.resolve(true);
    },
  });
}
