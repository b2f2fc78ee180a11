/**
 * @module @x/together-webhooks-redis — an idempotency store on Redis for together-webhooks, for
 * ioredis and node-redis clients: each Together AI event is handled once across all instances.
 */
export { redisStore, type RedisStoreOptions } from './store.js';
export type { IORedisClientLike, NodeRedisClientLike, NodeRedisEvalOptions, RedisClientLike } from './client.js';
export { DEFAULT_WATCH_STATE_KEY, redisWatchState, type RedisWatchStateOptions } from './watch-state.js';
