import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createClient as createClient4 } from 'redis4';
import { createWebhooks, sign, type IdempotencyStore } from '@x/together-webhooks-core';
import { redisStore } from '../src/index.js';
import { clientKinds, clientPool } from './clients.js';
import { redisCli, redisServerAvailable, startRedis, type RedisServer } from '@x/together-webhooks-test-support/redis-server';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
let counter = 0;
const uniqueKey = (name: string) => `together:event:${name}-${++counter}-${Date.now()}`;

describe.skipIf(!redisServerAvailable)('redisStore on a real server', () => {
  let server: RedisServer;
  let raw: Redis;
  beforeAll(async () => {
    server = await startRedis();
    raw = new Redis(server.url);
  });
  afterAll(async () => {
    raw.disconnect();
    await server.stop();
  });

  describe.each(clientKinds)('fencing with $name', (kind) => {
    let store: IdempotencyStore;
    let other: IdempotencyStore;
    const pool = () => clientPool(kind, server.url);
    let clients: ReturnType<typeof pool>;
    beforeAll(async () => {
      clients = pool();
      store = redisStore({ client: (await clients.open()).client });
      other = redisStore({ client: (await clients.open()).client });
    });
    afterAll(async () => {
      await clients.closeAll();
    });

    it('a stale holder cannot renew, complete or release after a takeover, and the record stays the new holder’s', async () => {
      const key = uniqueKey('stale');
      const stale = await store.claim(key, 100);
      expect(stale.state).toBe('claimed');
      await sleep(250);
      const fresh = await other.claim(key, 60_000);
      expect(fresh.state).toBe('claimed');
      if (stale.state !== 'claimed' || fresh.state !== 'claimed') return;
      expect(fresh.token).not.toBe(stale.token);

      expect(await store.renew(key, stale.token, 60_000)).toBe(false);
      expect(await store.complete(key, stale.token, 60_000)).toBe(false);
      expect(await store.release(key, stale.token)).toBe(false);
      expect(await raw.get(key)).toBe(`claimed:${fresh.token}`);

      expect(await other.complete(key, fresh.token, 60_000)).toBe(true);
      expect(await raw.get(key)).toBe('completed');
      // A late stale call after completion changes nothing either.
      expect(await store.release(key, stale.token)).toBe(false);
      expect(await store.complete(key, stale.token, 1)).toBe(false);
      expect(await raw.get(key)).toBe('completed');
      expect(await raw.pttl(key)).toBeGreaterThan(50_000);
    });

    it('the record tells "claimed by token T" from "completed", with server-side TTLs', async () => {
      const key = uniqueKey('format');
      const claim = await store.claim(key, 5_000);
      if (claim.state !== 'claimed') throw new Error(`expected claimed, got ${claim.state}`);
      expect(await raw.get(key)).toBe(`claimed:${claim.token}`);
      const leaseLeft = await raw.pttl(key);
      expect(leaseLeft).toBeGreaterThan(4_000);
      expect(leaseLeft).toBeLessThanOrEqual(5_000);

      const busy = await other.claim(key, 5_000);
      expect(busy.state).toBe('in_progress');
      if (busy.state === 'in_progress') expect(busy.retryAfterMs).toBeLessThanOrEqual(leaseLeft);

      expect(await store.renew(key, claim.token, 20_000)).toBe(true);
      expect(await raw.pttl(key)).toBeGreaterThan(15_000);
      expect(await store.complete(key, claim.token, 30_000)).toBe(true);
      expect(await raw.get(key)).toBe('completed');
      expect(await raw.pttl(key)).toBeGreaterThan(25_000);
      expect(await other.claim(key, 5_000)).toEqual({ state: 'completed' });
    });

    it('a token that looks like another value cannot complete or release', async () => {
      const key = uniqueKey('forged');
      const claim = await store.claim(key, 60_000);
      expect(claim.state).toBe('claimed');
      for (const forged of ['completed', 'claimed:', '*', 'claimed:*', `${claim.state === 'claimed' ? claim.token : ''}*`]) {
        expect(await store.renew(key, forged, 60_000)).toBe(false);
        expect(await store.complete(key, forged, 60_000)).toBe(false);
        expect(await store.release(key, forged)).toBe(false);
      }
      await expect(store.release(key, '')).rejects.toThrow(TypeError);
      expect((await other.claim(key, 60_000)).state).toBe('in_progress');
    });

    it('a key holding data the store did not write is an error, never a claim', async () => {
      const key = uniqueKey('foreign');
      await raw.set(key, 'somebody else’s value');
      await expect(store.claim(key, 1_000)).rejects.toThrow(/did not write/);
      expect(await raw.get(key)).toBe('somebody else’s value');
    });

    it('rejects a lease that is not a positive number', async () => {
      await expect(store.claim(uniqueKey('lease'), 0)).rejects.toThrow(RangeError);
      await expect(store.claim(uniqueKey('lease'), Number.NaN)).rejects.toThrow(RangeError);
    });
  });

  describe('round trips', () => {
    // Top-level commands only: the commands a script runs inside Redis are not round trips.
    const scriptCalls = () => {
      const stats = redisCli(server, 'INFO', 'commandstats');
      let calls = 0;
      for (const match of stats.matchAll(/^cmdstat_(eval|evalsha):calls=(\d+),.*rejected_calls=(\d+)/gm)) {
        calls += Number(match[2]) + Number(match[3]);
      }
      return calls;
    };

    it.each(clientKinds)('$name: one per call, so 2 per new event and 1 per duplicate through handle()', async (kind) => {
      const clients = clientPool(kind, server.url);
      try {
        const store = redisStore({ client: (await clients.open()).client });
        const secret = 'whsec_round_trips';
        const webhooks = createWebhooks({ secret, store }).onAny(() => undefined);
        const delivery = () => {
          const body = JSON.stringify({ id: `evt_${kind.name}_${uniqueKey('round-trip')}`, type: 'resource.updated', created: new Date().toISOString(), data: {} });
          return { body, headers: sign(body, { secret }) };
        };
        // Loads the scripts into the server's cache first.
        await webhooks.handle(delivery());

        const first = delivery();
        let before = scriptCalls();
        expect((await webhooks.handle(first)).outcome).toBe('processed');
        expect(scriptCalls() - before).toBe(2);
        before = scriptCalls();
        expect((await webhooks.handle(first)).outcome).toBe('duplicate');
        expect(scriptCalls() - before).toBe(1);

        // After SCRIPT FLUSH (or a restart) the first call of each script costs an EVALSHA and an EVAL.
        redisCli(server, 'SCRIPT', 'FLUSH');
        before = scriptCalls();
        expect((await webhooks.handle(delivery())).outcome).toBe('processed');
        expect(scriptCalls() - before).toBe(4);
      } finally {
        await clients.closeAll();
      }
    });
  });

  it('works with a node-redis 4 client in legacyMode (through its promise API)', async () => {
    const client = createClient4({ url: server.url, legacyMode: true });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const store = redisStore({ client });
      const key = uniqueKey('legacy');
      const claim = await store.claim(key, 60_000);
      if (claim.state !== 'claimed') throw new Error(`expected claimed, got ${claim.state}`);
      expect(await store.complete(key, claim.token, 60_000)).toBe(true);
      expect(await store.claim(key, 60_000)).toEqual({ state: 'completed' });
    } finally {
      await (client.v4 as { quit: () => Promise<unknown> }).quit();
    }
  });

  it.each(clientKinds)('$name: a closed client rejects, never claims', async (kind) => {
    const opened = await kind.connect(server.url);
    const store = redisStore({ client: opened.client });
    await opened.close();
    await expect(store.claim(uniqueKey('closed'), 1_000)).rejects.toThrow();
    await expect(store.complete(uniqueKey('closed'), 'token', 1_000)).rejects.toThrow();
  });
});
