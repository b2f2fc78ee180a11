/**
 * @module file-state — `fileWatchState(path)`: the watch state in one JSON file, for a single
 * host (a VM, a container with a volume). Written whole to a temporary file beside it and renamed
 * over it, so a crash mid-write leaves the old state, never half of one.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseWatchSnapshot } from '@x/together-webhooks-core/internal';
import { emptySnapshot, type VersionedSnapshot, type WatchSnapshot, type WatchState, type WriteResult } from './state.js';

interface StoredFile {
  version: string;
  snapshot: unknown;
}

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;
const isMissing = (error: unknown): boolean => codeOf(error) === 'ENOENT';

// A lock file held longer than this belongs to a process that died mid-write.
const STALE_LOCK_MS = 10_000;
const LOCK_WAIT_MS = 5_000;

/** Holds `<path>.lock` (created exclusively) while `task` runs: the other processes of the host wait. */
async function withLock<T>(path: string, task: () => Promise<T>): Promise<T> {
  const lock = `${path}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  await mkdir(dirname(path), { recursive: true });
  for (;;) {
    try {
      await (await open(lock, 'wx')).close();
      break;
    } catch (error) {
      if (codeOf(error) !== 'EEXIST') throw error;
      const held = await stat(lock).then((info) => Date.now() - info.mtimeMs, () => 0);
      if (held > STALE_LOCK_MS) await rm(lock, { force: true });
      else if (Date.now() > deadline) throw new Error(`${lock} is held by another process: the watch state was not written`);
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  try {
    return await task();
  } finally {
    await rm(lock, { force: true });
  }
}

/**
 * A {@link WatchState} in the JSON file at `path` (created with its directory at the first
 * write). The compare-and-set holds between the processes of one host that use the same file:
 * a write holds `<path>.lock` while it compares the version and renames.
 * For several hosts, use a store: Redis, DynamoDB or Postgres.
 *
 * @param path - the file, for example `.together-watch.json`
 * @returns the state
 * @example
 * ```ts
 * const watcher = watchTogetherJobs({ deliver: router, state: fileWatchState('/var/lib/app/together-watch.json') });
 * ```
 */
export function fileWatchState(path: string): WatchState {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('path must be a non-empty string');
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  const load = async (): Promise<VersionedSnapshot> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isMissing(error)) return { snapshot: emptySnapshot(), version: null };
      throw error;
    }
    let stored: Partial<StoredFile>;
    try {
      stored = JSON.parse(text) as Partial<StoredFile>;
    } catch {
      throw new Error(`${path} does not hold a watch state (not JSON)`);
    }
    if (typeof stored?.version !== 'string') throw new Error(`${path} does not hold a watch state (no version)`);
    return { snapshot: parseWatchSnapshot(JSON.stringify(stored.snapshot), path) as WatchSnapshot, version: stored.version };
  };

  return {
    read: () => serial(load),
    write: (snapshot, expectedVersion) =>
      serial(() =>
        withLock(path, async (): Promise<WriteResult> => {
          if ((await load()).version !== expectedVersion) return { written: false };
          const version = randomUUID();
          const temporary = `${path}.${version}.tmp`;
          try {
            await writeFile(temporary, JSON.stringify({ version, snapshot } satisfies StoredFile));
            await rename(temporary, path);
          } catch (error) {
            await rm(temporary, { force: true });
            throw error;
          }
          return { written: true, version };
        }),
      ),
  };
}
