/**
 * @module watch-snapshot — reading a stored watch state back (the snapshot `{ jobs, pending }` of
 * `watch-state.ts`), shared by the watch package and the store packages' watch states.
 */

/**
 * A snapshot of the right shape. Its entries are typed by the caller as the main entry's
 * `WatchSnapshot`: a declaration bundle of its own (`/internal`) cannot name the main entry's
 * event types, whose brand is a unique symbol per bundle.
 */
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
 * @returns the snapshot (its entries are trusted as the watcher wrote them)
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
