/**
 * @module client — tells an ioredis client from a node-redis one by its shape, and runs the
 * store's scripts on either: `EVALSHA`, falling back to `EVAL` when the server lacks the script.
 */
import type { RedisScript } from './scripts.js';

/** The part of an ioredis client (5 or 6; `Redis` or `Cluster`) that the store calls. */
export interface IORedisClientLike {
  readonly status: string;
  evalsha(sha: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
}

/** Keys and arguments of a node-redis script call. */
export interface NodeRedisEvalOptions {
  keys: string[];
  arguments: string[];
}

/** The part of a node-redis client (4 or 5, from `createClient()`) that the store calls. */
export interface NodeRedisClientLike {
  evalSha(sha: string, options: NodeRedisEvalOptions): Promise<unknown>;
  eval(script: string, options: NodeRedisEvalOptions): Promise<unknown>;
}

/** A client `redisStore` accepts. */
export type RedisClientLike = IORedisClientLike | NodeRedisClientLike;

/** Which library a client comes from. @internal */
export type RedisClientKind = 'ioredis' | 'node-redis';

/** Runs one of the store's scripts on one key: a single round trip once the server has the script. @internal */
export interface ScriptRunner {
  readonly kind: RedisClientKind;
  run(script: RedisScript, key: string, args: readonly string[]): Promise<unknown>;
}

type Shape = Partial<Record<'evalsha' | 'evalSha' | 'eval' | 'status', unknown>>;

function isIORedis(client: Shape): client is IORedisClientLike {
  return typeof client.evalsha === 'function' && typeof client.eval === 'function' && typeof client.status === 'string';
}

function isNodeRedis(client: Shape): client is NodeRedisClientLike {
  return typeof client.evalSha === 'function' && typeof client.eval === 'function';
}

// A server that restarted, or ran SCRIPT FLUSH, has forgotten the script; EVAL loads it again.
function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== 'Object' ? `an instance of ${name}` : 'an object without evalsha/evalSha';
}

/**
 * Wraps `client` after checking that it is an ioredis or node-redis client.
 * @throws TypeError naming the clients that work, for anything else
 * @internal
 */
export function scriptRunner(client: unknown): ScriptRunner {
  const shape = (typeof client === 'object' && client !== null ? client : {}) as Shape;
  if (isIORedis(shape)) {
    const io = shape;
    return {
      kind: 'ioredis',
      async run(script, key, args) {
        try {
          return await io.evalsha(script.sha, 1, key, ...args);
        } catch (error) {
          if (!isNoScript(error)) throw error;
          return io.eval(script.source, 1, key, ...args);
        }
      },
    };
  }
  if (isNodeRedis(shape)) {
    // node-redis 4 in legacyMode answers commands by callback and keeps the promise API under `v4`
    // (whose getter throws on other clients, so the option is checked first).
    const legacy = (shape as { options?: { legacyMode?: unknown } }).options?.legacyMode === true;
    const node = legacy ? (shape as unknown as { v4: NodeRedisClientLike }).v4 : shape;
    if (!isNodeRedis(node)) throw new TypeError('redisStore: this legacyMode node-redis client has no promise API (client.v4)');
    return {
      kind: 'node-redis',
      async run(script, key, args) {
        const options = { keys: [key], arguments: [...args] };
        try {
          return await node.evalSha(script.sha, options);
        } catch (error) {
          if (!isNoScript(error)) throw error;
          return node.eval(script.source, options);
        }
      },
    };
  }
  throw new TypeError(
    `redisStore: client must be an ioredis client (new Redis(), ioredis 5 or 6) or a node-redis client ` +
      `(createClient(), redis 4 or 5); got ${describe(client)}`,
  );
}
