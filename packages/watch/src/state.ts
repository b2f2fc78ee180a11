/**
 * @module state — what a watcher remembers between polls, and where: the last state announced
 * per job and the events not yet accepted by the receiver, kept in a {@link WatchState} the user
 * chooses (memory, a file, Redis, DynamoDB, Postgres). Writes are compare-and-set on a version,
 * so two overlapping polls (two cron invocations, a restart racing the old process) never
 * overwrite each other: the loser re-reads and merges (see `merge.ts`).
 */
import type { WatchSnapshot, WatchState } from '@x/together-webhooks-core';

// The types are the core's, so the store packages implement them without loading the watcher.
export type { PendingDelivery, VersionedSnapshot, WatchedJob, WatchSnapshot, WatchState, WriteResult } from '@x/together-webhooks-core';

/** A snapshot with nothing in it. */
export const emptySnapshot = (): WatchSnapshot => ({ jobs: {}, pending: [] });

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
