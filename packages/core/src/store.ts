/**
 * @module store — the idempotency store contract that lets a handler run once per event id,
 * across processes and server instances. Implement it to bring your own backend, and prove the
 * implementation with `runStoreConformance` from `@x/together-webhooks-core/testing`.
 */

/** The answer to a claim: this caller owns the key, someone finished it, or someone holds it. */
export type ClaimResult =
  | { state: 'claimed'; token: string }
  | { state: 'completed' }
  | { state: 'in_progress'; retryAfterMs: number };

/**
 * Where the pipeline records which event ids are being processed and which are done.
 *
 * The rules (spec section 7):
 * - `claim` is one atomic operation: of any number of concurrent claims of one key, across
 *   processes and connections, exactly one answers `claimed`, with a fresh unique `token`.
 *   A claim whose lease has lapsed may be taken over by a new claim, with a new token. A
 *   completed record is never overwritten while it is retained.
 * - `renew`, `complete` and `release` act only while `token` still owns the key (fencing) and
 *   answer `false`, changing nothing, when it does not, so a slow holder whose lease lapsed and
 *   was taken over cannot overwrite the new holder's state.
 * - Failures (network, backend) reject; they never read as `claimed`.
 * - Expiry is checked by the operations themselves, never left to a backend's cleanup timing.
 *
 * @example
 * ```ts
 * import type { IdempotencyStore } from '@x/together-webhooks-core';
 *
 * const store: IdempotencyStore = {
 *   async claim(key, leaseMs) { ... },
 *   async renew(key, token, leaseMs) { ... },
 *   async complete(key, token, retentionMs) { ... },
 *   async release(key, token) { ... },
 * };
 * ```
 */
export interface IdempotencyStore {
  /**
   * Claims `key` for `leaseMs` milliseconds.
   * @returns `claimed` with a token, `completed` when the key is done, or `in_progress` with how
   * long until the current lease lapses
   */
  claim(key: string, leaseMs: number): Promise<ClaimResult>;
  /** Extends the lease to `leaseMs` from now. @returns `false` when `token` no longer owns `key` */
  renew(key: string, token: string, leaseMs: number): Promise<boolean>;
  /** Marks `key` done for `retentionMs`. @returns `false` when `token` no longer owns `key` */
  complete(key: string, token: string, retentionMs: number): Promise<boolean>;
  /** Gives the claim up so a retry can take it now. @returns `false` when `token` no longer owns `key` */
  release(key: string, token: string): Promise<boolean>;
}
