/**
 * @module stores/memory — the idempotency contract inside one process: for tests and
 * single-instance apps. Bounded, and free of timers that would keep a process alive.
 */
import type { ClaimResult, IdempotencyStore } from '../store.js';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** Most records kept; past it the oldest completed (then expired) records go first. Default 100 000. */
  maxEntries?: number;
  /** Current time in milliseconds; for tests. Default `Date.now`. */
  now?: () => number;
}

interface MemoryRecord {
  token: string | undefined; // undefined once completed
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
  // Insertion order is age order: a record is re-inserted whenever it changes state.
  const records = new Map<string, MemoryRecord>();
  let tokens = 0;

  const owned = (key: string, token: string, at: number): MemoryRecord | undefined => {
    const record = records.get(key);
    return record?.token === token && record.expiresAt > at ? record : undefined;
  };

  const evict = (at: number): void => {
    if (records.size <= maxEntries) return;
    for (const [key, record] of records) {
      if (record.token === undefined || record.expiresAt <= at) records.delete(key);
      if (records.size <= maxEntries) return;
    }
  };

  return {
    claim(key, leaseMs) {
      const at = now();
      const record = records.get(key);
      let result: ClaimResult;
      if (record && record.expiresAt > at) {
        result =
          record.token === undefined ? { state: 'completed' } : { state: 'in_progress', retryAfterMs: record.expiresAt - at };
      } else {
        const token = `${++tokens}`;
        // Re-inserted, not updated: the map's order is the records' age order.
        if (record) records.delete(key);
        records.set(key, { token, expiresAt: at + leaseMs });
        evict(at);
        result = { state: 'claimed', token };
      }
      return Promise.resolve(result);
    },
    renew(key, token, leaseMs) {
      const at = now();
      const record = owned(key, token, at);
      if (record) record.expiresAt = at + leaseMs;
      return Promise.resolve(record !== undefined);
    },
    complete(key, token, retentionMs) {
      const at = now();
      if (!owned(key, token, at)) return Promise.resolve(false);
      records.delete(key);
      records.set(key, { token: undefined, expiresAt: at + retentionMs });
      return Promise.resolve(true);
    },
    release(key, token) {
      if (!owned(key, token, now())) return Promise.resolve(false);
      records.delete(key);
      return Promise.resolve(true);
    },
  };
}
