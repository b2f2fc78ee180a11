/**
 * @module watch-state — `redisWatchState`: the watcher's state (`@x/together-webhooks-watch`) in
 * one Redis hash, for ioredis and node-redis clients. The compare-and-set is a Lua script, so no
 * other client acts between its version check and its write.
 *
 * The `WatchState` type is the core's: this package never loads the watcher, and the watcher never
 * loads it (no build order between them).
 */
import { createHash, randomUUID } from 'node:crypto';
import { parseWatchSnapshot } from '@x/together-webhooks-core/internal';
import type { VersionedSnapshot, WatchSnapshot, WatchState, WriteResult } from '@x/together-webhooks-core';
import { scriptRunner, type RedisClientLike } from './client.js';
import type { RedisScript } from './scripts.js';

/** The key `redisWatchState` uses when given none. */
export const DEFAULT_WATCH_STATE_KEY = 'together:watch:state';

/** Options of {@link redisWatchState}. */
export interface RedisWatchStateOptions {
  /** An ioredis client (5 or 6, `Redis` or `Cluster`) or a node-redis client (4 or 5), as `redisStore` takes. */
  client: RedisClientLike;
  /** The hash holding the state: one per watcher. Default `together:watch:state`. */
  key?: string;
}

// Run by the store's own script runner (EVALSHA, loading on NOSCRIPT); the name is for its messages.
function script(name: RedisScript['name'], source: string): RedisScript {
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Replies {version, snapshot}, or an empty reply when the state was never written. */
const READ = script('readWatchState', `return redis.call('HMGET', KEYS[1], 'version', 'snapshot')`);

/** ARGV: expected version ('' for none), new version, snapshot. Replies 1 when written, else 0. */
const WRITE = script('writeWatchState', `local current = redis.call('HGET', KEYS[1], 'version')
if (current or '') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'snapshot', ARGV[3])
return 1`);

/**
 * A `WatchState` in a Redis hash: a poll runs one script to read it and, when something changed,
 * one to write it back if no other poll wrote in between.
 *
 * @param options - the client and the hash's key
 * @returns the state, for `watchTogetherJobs({ state })` or `pollTogetherJobs({ state })`
 * @throws TypeError for a client that is neither ioredis nor node-redis, or an empty key
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { redisWatchState } from '@x/together-webhooks-redis';
 * import { watchTogetherJobs } from '@x/together-webhooks-watch';
 *
 * const watcher = watchTogetherJobs({ deliver: router, state: redisWatchState({ client: new Redis(process.env.REDIS_URL!) }) });
 * ```
 */
export function redisWatchState(options: RedisWatchStateOptions): WatchState {
  if (typeof options !== 'object' || (options as RedisWatchStateOptions | null) === null) {
    throw new TypeError('redisWatchState: options must be an object with a client');
  }
  const runner = scriptRunner(options.client);
  const key = options.key ?? DEFAULT_WATCH_STATE_KEY;
  if (typeof key !== 'string' || key.length === 0) throw new TypeError('redisWatchState: key must be a non-empty string');
  const where = `Redis key ${JSON.stringify(key)}`;

  return {
    async read(): Promise<VersionedSnapshot> {
      const reply = await runner.run(READ, key, []);
      const [version, snapshot] = Array.isArray(reply) ? (reply as unknown[]) : [];
      if (typeof version !== 'string' || typeof snapshot !== 'string') return { snapshot: { jobs: {}, pending: [] }, version: null };
      return { snapshot: parseWatchSnapshot(snapshot, where) as WatchSnapshot, version };
    },
    async write(snapshot, expectedVersion): Promise<WriteResult> {
      const version = randomUUID();
      const reply = await runner.run(WRITE, key, [expectedVersion ?? '', version, JSON.stringify(snapshot)]);
      return Number(reply) === 1 ? { written: true, version } : { written: false };
    },
  };
}
