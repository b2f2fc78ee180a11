/**
 * @module state — what a watcher remembers between polls, and where: the last state announced
 * per job and the events not yet accepted by the receiver, kept in a {@link WatchState} the user
 * chooses (memory, a file, Redis, DynamoDB, Postgres). Writes are compare-and-set on a version,
 * so two overlapping polls (two cron invocations, a restart racing the old process) never
 * overwrite each other: the loser re-reads and merges (see `merge.ts`).
 */
import type { TogetherEvent } from '@x/together-webhooks-core';
import { parseWatchSnapshot } from '@x/together-webhooks-core/internal';

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

/** A snapshot with nothing in it. */
export const emptySnapshot = (): WatchSnapshot => ({ jobs: {}, pending: [] });

/**
 * Reads a stored snapshot back, checking its shape: a corrupt or foreign value is an error that
 * names the store, never a watcher that silently starts over. @internal
 */
export const parseSnapshot = (text: string, where: string): WatchSnapshot => parseWatchSnapshot(text, where) as WatchSnapshot;

/**
 * A {@link WatchState} in this process's memory: what `watchTogetherJobs` uses without `state`.
 * Gone with the process, so a restart announces again what changed within the lookback.
 *
 * @returns a state that starts empty
 * @example
 * ```ts
 * const report = await pollTogetherJobs({ deliver: router, state: memoryWatchState() });
 * ```
 */
export function memoryWatchState(): WatchState {
  let stored: { text: string; version: number } | undefined;
  return {
    read() {
      // A copy: a caller changing what it read must not change what is stored.
      return Promise.resolve(
        stored ? { snapshot: JSON.parse(stored.text) as WatchSnapshot, version: String(stored.version) } : { snapshot: emptySnapshot(), version: null },
      );
    },
    write(snapshot, expectedVersion) {
      const current = stored ? String(stored.version) : null;
      if (current !== expectedVersion) return Promise.resolve({ written: false });
      stored = { text: JSON.stringify(snapshot), version: (stored?.version ?? 0) + 1 };
      return Promise.resolve({ written: true, version: String(stored.version) });
    },
  };
}
