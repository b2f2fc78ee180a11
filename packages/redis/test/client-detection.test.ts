import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis as IORedis6 } from 'ioredis';
import { Redis as IORedis5 } from 'ioredis5';
import { createClient as createClient5 } from 'redis';
import { createClient as createClient4 } from 'redis4';
import { redisStore, type RedisClientLike } from '../src/index.js';
import { CLAIM, COMPLETE } from '../src/scripts.js';
import { clientKinds, type OpenClient } from './clients.js';
import { redisCli, redisServerAvailable, startRedis, type RedisServer } from '@x/together-webhooks-test-support/redis-server';

const notAClient = (value: unknown) => value as RedisClientLike;

type Method = (...args: unknown[]) => Promise<unknown>;

/** Wraps `names` of `target` (those it has) in spies that still call the real method. */
function spyOn(target: object, names: readonly string[]) {
  const methods = target as Record<string, Method>;
  return Object.fromEntries(names.filter((name) => typeof methods[name] === 'function').map((name) => [name, vi.spyOn(methods, name)]));
}

describe('redisStore client detection', () => {
  // Clients are created without connecting: detection reads their shape only.
  it.each([
    ['ioredis 6', () => new IORedis6({ lazyConnect: true })],
    ['ioredis 5', () => new IORedis5({ lazyConnect: true })],
    ['node-redis 5', () => createClient5()],
    ['node-redis 4', () => createClient4()],
  ] as const)('accepts a %s client before it connects', (_name, create) => {
    expect(() => redisStore({ client: create() })).not.toThrow();
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

// Which client the store took each one for shows in how it calls it: ioredis's
// `evalsha(sha, numKeys, key, ...args)` or node-redis's `evalSha(sha, { keys, arguments })` (on
// `client.v4` for a legacyMode node-redis 4). The methods are wrapped, not replaced: the real
// server answers, so the calls must also be the right ones.
describe.skipIf(!redisServerAvailable)('redisStore drives each client the way its library calls scripts', () => {
  let server: RedisServer;
  const opened: OpenClient[] = [];
  beforeAll(async () => {
    server = await startRedis();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(opened.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await server.stop();
  });

  // A legacyMode client answers by callback; its promise API is `client.v4`.
  const legacyNodeRedis4 = {
    name: 'node-redis 4 in legacyMode',
    async connect(url: string): Promise<OpenClient> {
      const client = createClient4({ url, legacyMode: true, disableOfflineQueue: true });
      client.on('error', () => undefined);
      await client.connect();
      return { client: client as unknown as RedisClientLike, close: () => client.disconnect() };
    },
  };

  const detected = {
    'ioredis 6': 'ioredis',
    'ioredis 5': 'ioredis',
    'node-redis 5': 'node-redis',
    'node-redis 4': 'node-redis',
    'node-redis 4 in legacyMode': 'node-redis (v4)',
  } as const;

  it('covers every client the tests install', () => {
    expect(clientKinds.map((kind) => kind.name).sort()).toEqual(Object.keys(detected).filter((name) => !name.includes('legacyMode')).sort());
  });

  it.each([...clientKinds, legacyNodeRedis4].map((kind) => ({ name: kind.name, kind, library: detected[kind.name as keyof typeof detected] })))(
    'takes a $name client for $library',
    async ({ kind, library }) => {
      const open = await kind.connect(server.url);
      opened.push(open);
      // The server forgets every script: the first call of each falls back to EVAL, in the client's own way.
      redisCli(server, 'SCRIPT', 'FLUSH');
      const surface = open.client as unknown as Record<string, unknown> & { v4?: object };
      const own = spyOn(surface, ['evalsha', 'evalSha', 'eval', 'EVALSHA', 'EVAL']);
      const v4 = library === 'node-redis (v4)' ? spyOn(surface.v4!, ['evalSha', 'eval']) : {};

      const store = redisStore({ client: open.client });
      const key = `detect:${kind.name}:${Date.now()}`;
      const first = await store.claim(key, 60_000);
      expect(first.state).toBe('claimed');
      expect(await store.complete(key, (first as { token: string }).token, 60_000)).toBe(true);
      expect(await store.claim(key, 60_000)).toEqual({ state: 'completed' });

      const shas = [CLAIM.sha, COMPLETE.sha, CLAIM.sha];
      if (library === 'ioredis') {
        expect(own.evalsha!.mock.calls.map((call) => call.slice(0, 3))).toEqual(shas.map((sha) => [sha, 1, key]));
        expect(own.eval!.mock.calls.map((call) => call.slice(0, 3))).toEqual([CLAIM, COMPLETE].map((script) => [script.source, 1, key]));
        expect(own.evalSha).toBeUndefined();
      } else {
        const used = library === 'node-redis' ? own : v4;
        const options = { keys: [key], arguments: expect.any(Array) as unknown };
        expect(used.evalSha!.mock.calls).toEqual(shas.map((sha) => [sha, options]));
        expect(used.eval!.mock.calls).toEqual([CLAIM, COMPLETE].map((script) => [script.source, options]));
        expect(own.evalsha?.mock.calls ?? []).toEqual([]);
        // The legacy client's own methods answer by callback: the store must not have used them.
        if (library === 'node-redis (v4)') {
          for (const spy of Object.values(own)) expect(spy.mock.calls).toEqual([]);
        }
      }
    },
  );
});
