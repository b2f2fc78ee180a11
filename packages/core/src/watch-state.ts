/**
 * @module watch-state — the watcher's state as a type (`WatchState`: the last state announced per
 * job and the events not yet accepted). It lives in the core because both sides need it: the
 * watch package polls with it, and the store packages implement it (`redisWatchState`,
 * `dynamoDbWatchState`, `postgresWatchState`) without loading the watcher.
 */
import type { TogetherEvent } from './events.js';

/** What a watcher knows of one job. */
export interface WatchedJob {
  /** The last state seen (announced, or intermediate). */
  state: string;
  /** Fine-tunes: how many entries of the job's `events[]` log were looked at already. */
  entries?: number;
  /** Fine-tunes: the `updated_at` the log was last read at, so an unchanged job is not retrieved again. */
  updated?: string;
}

/** An announced event the receiver has not accepted yet. */
export interface PendingDelivery {
  /** The job it is about, `<resource>:<id>`. */
  job: string;
  event: TogetherEvent;
}

/** Everything a watcher keeps between polls; plain JSON. */
export interface WatchSnapshot {
  /** By `<resource>:<id>`. */
  jobs: Record<string, WatchedJob>;
  /** Oldest first: a job's events reach the receiver in order. */
  pending: PendingDelivery[];
}

/** A snapshot and the version it was stored at (`null`: nothing stored yet). */
export interface VersionedSnapshot {
  snapshot: WatchSnapshot;
  version: string | null;
}

/** How a compare-and-set write ended. */
export type WriteResult = { written: true; version: string } | { written: false };

/**
 * Where a watcher keeps its {@link WatchSnapshot}. A poll makes at most one `read` and, when
 * something changed, one `write` (plus a re-read and a write per conflict).
 *
 * Implement it on any store with a compare-and-set: `write` stores `snapshot` only if what is
 * stored is still at `expectedVersion` (`null`: nothing stored), and answers the new version;
 * otherwise it stores nothing and answers `{ written: false }`. Prove an implementation with
 * `runWatchStateConformance` from `@x/together-webhooks-watch/testing`.
 */
export interface WatchState {
  read(): Promise<VersionedSnapshot>;
  write(snapshot: WatchSnapshot, expectedVersion: string | null): Promise<WriteResult>;
}
