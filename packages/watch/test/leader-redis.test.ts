import { redisStore } from '@x/together-webhooks-redis';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { countingClient, fakeApi, onCleanup, receiver, sleep, waitFor, watcher } from './helpers.js';
import { redisServerAvailable, startRedis } from '@x/together-webhooks-test-support/redis-server';

const LEASE = 1_000;

describe.skipIf(!redisServerAvailable)('many instances, one poller (Redis store, one connection per instance)', () => {
  it('one leader polls; when it stops the other takes over within one lease; every event is handled once', async () => {
    const server = await startRedis();
    onCleanup(() => server.stop());
    const connect = () => {
      const client = new Redis(server.url, { maxRetriesPerRequest: 1, lazyConnect: false });
      onCleanup(async () => {
        await client.quit();
      });
      return redisStore({ client });
    };
    const api = await fakeApi();
    // Each instance: its own connection, receiver and watcher, as separate processes would have.
    const instances = [connect(), connect()].map((store) => {
      const rx = receiver(store);
      const counted = countingClient(api);
      return { rx, counted, watch: watcher(api, { deliver: rx.deliver, store, leaseMs: LEASE, client: counted.client, resources: ['batch'] }) };
    });
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];
    await a.watch.start();
    await b.watch.start();
    // Leadership is only as sure as the last confirmed renewal: on a slow machine it can take one.
    await waitFor(() => a.watch.leading, 'the first instance leading');
    expect(b.watch.leading).toBe(false);
    expect(b.counted.count()).toBe(0);

    const id = String(api.create('batch')['id']);
    await waitFor(() => a.rx.handled.length === 1, 'batch.created through the leader');
    await a.watch.stop();
    const stoppedAt = Date.now();
    await waitFor(() => b.counted.count() > 0, 'the other instance polling', LEASE * 3);
    expect(Date.now() - stoppedAt).toBeLessThanOrEqual(LEASE + 300);
    // The new leader re-announces batch.created: the shared Redis store makes it a duplicate.
    await waitFor(() => b.rx.outcomes.length > 0, 'the re-announcement');
    expect(b.rx.outcomes[0]).toEqual([`batch:${id}:VALIDATING`, 'duplicate']);
    await api.play('batch', id, [{ afterMs: 100, state: 'COMPLETED', afterReads: 2 }]);
    await waitFor(() => b.rx.handled.length === 1, 'batch.completed through the new leader');
    await sleep(200);
    expect([...a.rx.ids(), ...b.rx.ids()]).toEqual([`batch:${id}:VALIDATING`, `batch:${id}:COMPLETED`]);
  });
});
