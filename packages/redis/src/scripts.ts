/**
 * @module scripts — the four Lua scripts behind the store. Each runs atomically on the server,
 * so every store call is one round trip and no other client can act between its read and write.
 */
import { createHash } from 'node:crypto';

/** A Lua script with its SHA-1, which `EVALSHA` names it by. @internal */
export interface RedisScript {
  readonly name: 'claim' | 'renew' | 'complete' | 'release' | 'readWatchState' | 'writeWatchState';
  readonly source: string;
  readonly sha: string;
}

/** The value of a key whose event is done; a claim's value is {@link claimedValue}. @internal */
export const COMPLETED_VALUE = 'completed';

/** The value of a key claimed by `token`: distinct from {@link COMPLETED_VALUE} by construction. @internal */
export function claimedValue(token: string): string {
  return `claimed:${token}`;
}

function script(name: RedisScript['name'], source: string): RedisScript {
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

// Every script takes the event key as KEYS[1] and the claim's record value as ARGV[1].
// A key that has expired reads as absent inside a script, so the server's clock decides leases.

/**
 * ARGV[2]: lease in ms. Replies {1} claimed, {2} completed, {3, pttl} in progress, {4} foreign value.
 * A claim that finds its own value was resent by the client after a lost reply: it is ours.
 */
export const CLAIM = script(
  'claim',
  `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1} end
local value = redis.call('GET', KEYS[1])
if value == ARGV[1] then return {1} end
if value == '${COMPLETED_VALUE}' then return {2} end
if type(value) == 'string' and string.sub(value, 1, 8) == 'claimed:' then return {3, redis.call('PTTL', KEYS[1])} end
return {4}`,
);

/** ARGV[2]: new lease in ms. Replies 1 when the token owns the key and the lease was extended, else 0. */
export const RENEW = script(
  'renew',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`,
);

/** ARGV[2]: retention in ms. Replies 1 when the token owned the key and it is now completed, else 0. */
export const COMPLETE = script(
  'complete',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], '${COMPLETED_VALUE}', 'PX', ARGV[2])
  return 1
end
return 0`,
);

/** Replies 1 when the token owned the key and it is now deleted, else 0. */
export const RELEASE = script(
  'release',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
);
