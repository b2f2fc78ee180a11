/**
 * @module store — `redisStore`: the idempotency contract on a Redis server that every instance
 * of an app shares. One round trip per call; leases and retention are server-side TTLs.
 */
import { randomUUID } from 'node:crypto';
import type { ClaimResult, IdempotencyStore } from '@x/together-webhooks-core';
import { scriptRunner, type RedisClientLike } from './client.js';
import { CLAIM, claimedValue, COMPLETE, RELEASE, RENEW, type RedisScript } from './scripts.js';

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /**
   * A connected ioredis (5, 6) or node-redis (4, 5) client. Configure it to fail fast while Redis
   * is unreachable (see the README), so deliveries answer 503 at once instead of waiting.
   */
  client: RedisClientLike;
}

function milliseconds(value: number, name: string): string {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive number of milliseconds, got ${String(value)}`);
  }
  // PX and PEXPIRE take whole milliseconds; rounding up never shortens a lease.
  return String(Math.ceil(value));
}

function assertString(value: string, name: string): void {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${name} must be a non-empty string`);
}

function unexpected(script: RedisScript, reply: unknown): Error {
  return new Error(`redisStore: unexpected reply to the ${script.name} script: ${JSON.stringify(reply) ?? String(reply)}`);
}

function claimResult(key: string, token: string, reply: unknown): ClaimResult {
  if (!Array.isArray(reply)) throw unexpected(CLAIM, reply);
  switch (Number(reply[0])) {
    case 1:
      return { state: 'claimed', token };
    case 2:
      return { state: 'completed' };
    case 3: {
      const pttl = Number(reply[1]);
      // -1 would be a claim without a TTL: never written by this store, and it would block forever.
      if (!Number.isInteger(pttl) || pttl < 0) throw unexpected(CLAIM, reply);
      return { state: 'in_progress', retryAfterMs: Math.max(1, pttl) };
    }
    case 4:
      throw new Error(`redisStore: ${key} holds a value this store did not write: does another program use the same keys?`);
    default:
      throw unexpected(CLAIM, reply);
  }
}

/**
 * An {@link IdempotencyStore} on Redis, shared by every instance of an app: each event id's
 * handlers run once across all of them.
 *
 * Every call is one Lua script (`EVALSHA`, with `EVAL` the first time a server meets it), so a
 * new event costs 2 round trips and a duplicate 1. Renew, complete and release act only while
 * the caller's token still owns the key. Leases and retention are `PX` TTLs on the server, so
 * the clocks of the app's machines do not matter.
 *
 * @param options - `client`: an ioredis or node-redis client, detected by its shape
 * @returns a store for `createWebhooks({ store })`
 * @throws TypeError when `client` is neither an ioredis nor a node-redis client
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createWebhooks } from '@x/together-webhooks-core';
 * import { redisStore } from '@x/together-webhooks-redis';
 *
 * const client = new Redis(process.env.REDIS_URL!, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
 * const webhooks = createWebhooks({ secret: process.env.TOGETHER_WEBHOOK_SECRET!, store: redisStore({ client }) });
 * ```
 */
export function redisStore(options: RedisStoreOptions): IdempotencyStore {
  if (typeof options !== 'object' || (options as RedisStoreOptions | null) === null) {
    throw new TypeError('redisStore: options must be an object with a client');
  }
  const runner = scriptRunner(options.client);

  const fenced = async (script: RedisScript, key: string, token: string, extra: readonly string[]): Promise<boolean> => {
    assertString(key, 'key');
    assertString(token, 'token');
    const reply = await runner.run(script, key, [claimedValue(token), ...extra]);
    const flag = Number(reply);
    if (flag !== 0 && flag !== 1) throw unexpected(script, reply);
    return flag === 1;
  };

  return {
    async claim(key, leaseMs) {
      assertString(key, 'key');
      const lease = milliseconds(leaseMs, 'leaseMs');
      const token = randomUUID();
      return claimResult(key, token, await runner.run(CLAIM, key, [claimedValue(token), lease]));
    },
    renew: async (key, token, leaseMs) => fenced(RENEW, key, token, [milliseconds(leaseMs, 'leaseMs')]),
    complete: async (key, token, retentionMs) => fenced(COMPLETE, key, token, [milliseconds(retentionMs, 'retentionMs')]),
    release: async (key, token) => fenced(RELEASE, key, token, []),
  };
}
