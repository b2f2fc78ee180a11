/**
 * @module watch-snapshot — reading a stored watch state back (the watcher's `WatchState`
 * snapshot: `{ jobs, pending }`), shared by the watch package and the store packages' watch
 * states, which do not load the watcher at run time. The types are the watch package's.
 */

/** A snapshot of the right shape; its entries are the watch package's to type. */
export interface StoredWatchSnapshot {
  jobs: object;
  pending: unknown[];
}

/**
 * Parses a stored snapshot, checking its shape: a corrupt or foreign value is an error that names
 * where it was read, never a watcher that silently starts over.
 *
 * @param text - the stored JSON
 * @param where - the store and key, for the error (`redis key together:watch:state`)
 * @returns the snapshot, as the watch package's `WatchSnapshot` types it (`jobs` by key, `pending` events)
 * @throws Error when the text is not JSON or not `{ jobs: object, pending: array }`
 */
export function parseWatchSnapshot(text: string, where: string): StoredWatchSnapshot {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${where} does not hold a watch state (not JSON)`);
  }
  const snapshot = value as { jobs?: unknown; pending?: unknown } | null;
  if (typeof snapshot !== 'object' || snapshot === null || typeof snapshot.jobs !== 'object' || snapshot.jobs === null || !Array.isArray(snapshot.pending)) {
    throw new Error(`${where} does not hold a watch state (expected { jobs, pending })`);
  }
  return { jobs: snapshot.jobs, pending: snapshot.pending };
}
