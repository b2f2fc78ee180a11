/**
 * @module stores — idempotency stores that answer the way a busy or broken backend does.
 */
import type { IdempotencyStore } from '@x/together-webhooks-core';

/** A store whose claims are always held by another delivery. */
export function busyStore(retryAfterMs = 2_500): IdempotencyStore {
  return {
    claim: () => Promise.resolve({ state: 'in_progress', retryAfterMs }),
    renew: () => Promise.resolve(false),
    complete: () => Promise.resolve(false),
    release: () => Promise.resolve(false),
  };
}

/** A store whose backend is unreachable. */
export function unreachableStore(): IdempotencyStore {
  const down = (): Promise<never> => Promise.reject(new Error('store unreachable (test)'));
  return { claim: down, renew: down, complete: down, release: down };
}
