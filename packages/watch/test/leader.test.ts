import { memoryStore, type IdempotencyStore } from '@x/together-webhooks-core';
import { describe, expect, it } from 'vitest';
import { leaderLease } from '../src/leader.js';
import { countingClient, fakeApi, receiver, sleep, waitFor, watcher } from './helpers.js';

const LEASE = 300;

/** A store that records the keys it is asked about. */
function recording(store: IdempotencyStore): IdempotencyStore & { keys: Set<string> } {
  const keys = new Set<string>();
  return {
    keys,
    claim: (key, leaseMs) => (keys.add(key), store.claim(key, leaseMs)),
    renew: (key, token, leaseMs) => store.renew(key, token, leaseMs),
    complete: (key, token, retentionMs) => store.complete(key, token, retentionMs),
    release: (key, token) => store.release(key, token),
  };
}

describe('many instances, one poller (shared memory store)', () => {
  it('only the lease holder polls; events are handled once', async () => {
    const api = await fakeApi();
    const store = recording(memoryStore());
    const { deliver, handled } = receiver(store);
    const a = countingClient(api);
    const b = countingClient(api);
    const watchA = watcher(api, { deliver, store, leaseMs: LEASE, client: a.client, resources: ['batch'] });
    const watchB = watcher(api, { deliver, store, leaseMs: LEASE, client: b.client, resources: ['batch'] });
    await Promise.all([watchA.start(), watchB.start()]);
    const id = String(api.create('batch')['id']);
    await api.play('batch', id, [{ afterMs: 200, state: 'COMPLETED', afterReads: 2 }]);
    await waitFor(() => handled.length === 2, 'two batch events');
    await sleep(LEASE * 2);
    expect([watchA.leading, watchB.leading].sort()).toEqual([false, true]);
    const [leader, follower] = watchA.leading ? [a, b] : [b, a];
    expect(leader.count()).toBeGreaterThan(2);
    expect(follower.count()).toBe(0);
    expect(handled.map((event) => event.type)).toEqual(['batch.created', 'batch.completed']);
    expect(store.keys.has('together:watch:leader')).toBe(true);
  });

  it('when the leader stops, the other instance takes over within one lease and nothing is handled twice', async () => {
    const api = await fakeApi();
    const store = memoryStore();
    const { deliver, handled } = receiver(store);
    const a = countingClient(api);
    const b = countingClient(api);
    const id = String(api.create('fine_tune')['id']);
    const watchA = watcher(api, { deliver, store, leaseMs: LEASE, client: a.client, resources: ['fine_tune'] });
    await watchA.start();
    const watchB = watcher(api, { deliver, store, leaseMs: LEASE, client: b.client, resources: ['fine_tune'] });
    await watchB.start();
    expect(watchA.leading).toBe(true);
    expect(watchB.leading).toBe(false);
    await waitFor(() => handled.length === 1, 'fine_tune.created');

    await watchA.stop();
    const stoppedAt = Date.now();
    await waitFor(() => b.count() > 0, 'the follower polling', LEASE * 3);
    expect(Date.now() - stoppedAt).toBeLessThanOrEqual(LEASE + 300);
    expect(watchB.leading).toBe(true);
    await api.play('fine_tune', id, [{ afterMs: 100, state: 'queued', afterReads: 2 }]);
    await waitFor(() => handled.length === 2, 'fine_tune.queued after the handover');
    await sleep(150);
    expect(handled.map((event) => event.type)).toEqual(['fine_tune.created', 'fine_tune.queued']);
  });

  it('when the leader dies without releasing, its lease lapses and another instance polls within one lease', async () => {
    const api = await fakeApi();
    const store = memoryStore();
    const { deliver, handled } = receiver(store);
    // A process that dies renews nothing and releases nothing.
    let dead = false;
    const dying: IdempotencyStore = {
      claim: (key, leaseMs) => store.claim(key, leaseMs),
      renew: (key, token, leaseMs) => (dead ? new Promise<boolean>(() => undefined) : store.renew(key, token, leaseMs)),
      complete: (key, token, retentionMs) => store.complete(key, token, retentionMs),
      release: (key, token) => (dead ? Promise.resolve(true) : store.release(key, token)),
    };
    const b = countingClient(api);
    const watchA = watcher(api, { deliver, store: dying, leaseMs: LEASE, resources: ['batch'] });
    await watchA.start();
    const watchB = watcher(api, { deliver, store, leaseMs: LEASE, client: b.client, resources: ['batch'] });
    await watchB.start();
    await sleep(LEASE);
    expect(b.count()).toBe(0);

    dead = true;
    const diedAt = Date.now();
    // A renewal is now hanging, as on a store that stopped answering: stop() must not wait for it.
    await sleep(LEASE / 2);
    await watchA.stop();
    api.create('batch', { id: 'b-after-death' });
    await waitFor(() => handled.length === 1, 'the new batch, announced by the survivor', LEASE * 4);
    expect(Date.now() - diedAt).toBeLessThanOrEqual(LEASE + 300);
    expect(watchB.leading).toBe(true);
  });
});

describe('leaderLease', () => {
  const silent = (): void => undefined;

  it('a refused renewal ends the leadership at once', async () => {
    const base = memoryStore();
    let lost = 0;
    const store: IdempotencyStore = { ...base, renew: () => Promise.resolve(false) };
    const lease = leaderLease({ store, key: 'k', leaseMs: 60, now: Date.now, onError: silent, onLost: () => lost++ });
    expect(await lease.acquire()).toEqual({ leading: true });
    await waitFor(() => lost === 1, 'the lease lost');
    expect(lease.leading).toBe(false);
    await lease.release();
  });

  it('failing renewals keep the leadership only until the deadline; the next acquire() then gives it up', async () => {
    const base = memoryStore();
    const seen: unknown[] = [];
    let lost = 0;
    const store: IdempotencyStore = { ...base, renew: () => Promise.reject(new Error('store down')) };
    const lease = leaderLease({ store, key: 'k', leaseMs: 90, now: Date.now, onError: (error) => seen.push(error), onLost: () => lost++ });
    const claimedAt = Date.now();
    await lease.acquire();
    await sleep(45);
    expect(lease.leading).toBe(true);
    await waitFor(() => !lease.leading, 'the lease lapsing');
    const lapsedAfter = Date.now() - claimedAt;
    // By the deadline (90 ms from the claim's sending), never later, give or take a late timer.
    expect(lapsedAfter).toBeGreaterThanOrEqual(60);
    expect(lapsedAfter).toBeLessThanOrEqual(90 + 40);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    // Unsure rather than refused: acquire() asks the store, which fails again, so the lease is given up.
    expect(lost).toBe(0);
    await lease.acquire();
    expect(lost).toBe(1);
    await lease.release();
  });

  it('a renewal that never answers ends the leadership by its deadline', async () => {
    const base = memoryStore();
    const seen: unknown[] = [];
    const store: IdempotencyStore = { ...base, renew: () => new Promise<boolean>(() => undefined) };
    const lease = leaderLease({ store, key: 'k', leaseMs: 150, now: Date.now, onError: (error) => seen.push(error), onLost: () => undefined });
    const claimedAt = Date.now();
    await lease.acquire();
    await waitFor(() => !lease.leading, 'the lease lapsing');
    expect(Date.now() - claimedAt).toBeLessThanOrEqual(150 + 40);
    expect(seen.some((error) => (error as Error).name === 'StoreTimeoutError')).toBe(true);
    await lease.release();
  });

  it('when no renewal confirmed the lease in time, acquire() renews it rather than wait for its own lease to lapse', async () => {
    let t = 0;
    const base = memoryStore({ now: () => t });
    // The claim reaches the store 200 ms after it was sent (a slow connection): the store's lease
    // outlasts what the watcher can be sure of.
    const store: IdempotencyStore = { ...base, claim: (key, leaseMs) => ((t += 200), base.claim(key, leaseMs)) };
    let lost = 0;
    const lease = leaderLease({ store, key: 'k', leaseMs: 1_000, now: () => t, onError: silent, onLost: () => lost++ });
    expect(await lease.acquire()).toEqual({ leading: true });
    t = 1_100;
    expect(lease.leading).toBe(false);
    expect(await lease.acquire()).toEqual({ leading: true });
    expect(lease.leading).toBe(true);
    expect(lost).toBe(0);
    // Once the store has let it lapse, the lease is lost and claimed afresh.
    t = 5_000;
    expect(await lease.acquire()).toEqual({ leading: true });
    expect(lost).toBe(1);
    await lease.release();
  });

  it('a held key answers in_progress with the time left; release frees it for the next claim', async () => {
    const store = memoryStore();
    const first = leaderLease({ store, key: 'k', leaseMs: 1_000, now: Date.now, onError: silent, onLost: silent });
    const second = leaderLease({ store, key: 'k', leaseMs: 1_000, now: Date.now, onError: silent, onLost: silent });
    expect(await first.acquire()).toEqual({ leading: true });
    const answer = await second.acquire();
    expect(answer.leading).toBe(false);
    expect(answer.leading === false && answer.retryAfterMs).toBeGreaterThan(900);
    await first.release();
    expect(await second.acquire()).toEqual({ leading: true });
    await second.release();
  });

  it('a store that fails to claim is reported and asked again a third of a lease later', async () => {
    const seen: unknown[] = [];
    const store: IdempotencyStore = { ...memoryStore(), claim: () => Promise.reject(new Error('store down')) };
    const lease = leaderLease({ store, key: 'k', leaseMs: 300, now: Date.now, onError: (error) => seen.push(error), onLost: silent });
    expect(await lease.acquire()).toEqual({ leading: false, retryAfterMs: 100 });
    expect(seen).toHaveLength(1);
  });
});
