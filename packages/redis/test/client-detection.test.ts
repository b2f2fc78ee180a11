import { describe, expect, it } from 'vitest';
import { Redis as IORedis6 } from 'ioredis';
import { Redis as IORedis5 } from 'ioredis5';
import { createClient as createClient5 } from 'redis';
import { createClient as createClient4 } from 'redis4';
import { redisStore, type RedisClientLike } from '../src/index.js';

const notAClient = (value: unknown) => value as RedisClientLike;

describe('redisStore client detection', () => {
  // Clients are created without connecting: detection reads their shape only.
  it.each([
    ['ioredis 6', () => new IORedis6({ lazyConnect: true })],
    ['ioredis 5', () => new IORedis5({ lazyConnect: true })],
    ['node-redis 5', () => createClient5()],
    ['node-redis 4', () => createClient4()],
  ] as const)('accepts a %s client', (_name, create) => {
    const store = redisStore({ client: create() });
    expect(Object.keys(store).sort()).toEqual(['claim', 'complete', 'release', 'renew']);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'redis://127.0.0.1:6379'],
    ['an empty object', {}],
    ['a client with only SET and GET', { set: () => Promise.resolve('OK'), get: () => Promise.resolve(null) }],
    ['a Map', new Map()],
    ['an object with eval but no evalsha', { eval: () => Promise.resolve(null) }],
  ])('throws a TypeError naming the supported clients for %s', (_name, client) => {
    expect(() => redisStore({ client: notAClient(client) })).toThrow(TypeError);
    expect(() => redisStore({ client: notAClient(client) })).toThrow(/ioredis .*5 or 6.*node-redis .*4 or 5/);
  });

  it('throws a TypeError without options', () => {
    expect(() => redisStore(undefined as unknown as { client: RedisClientLike })).toThrow(TypeError);
  });

  it('says which class it got', () => {
    class Memcached {
      readonly servers = ['127.0.0.1:11211'];
    }
    expect(() => redisStore({ client: notAClient(new Memcached()) })).toThrow(/got an instance of Memcached/);
  });
});
