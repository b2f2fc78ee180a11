import { describe, expect, it } from 'vitest';
import { memoryStore } from '@x/together-webhooks-core';

describe('memoryStore', () => {
  it('evicts the oldest completed records first past maxEntries, and never a live claim', async () => {
    const store = memoryStore({ maxEntries: 100 });
    const live = await store.claim('live', 60_000);
    expect(live.state).toBe('claimed');
    for (let i = 0; i < 1000; i++) {
      const claim = await store.claim(`done-${i}`, 60_000);
      if (claim.state !== 'claimed') throw new Error('expected a claim');
      await store.complete(`done-${i}`, claim.token, 60_000);
    }
    expect((await store.claim('live', 60_000)).state).toBe('in_progress');
    expect((await store.claim('done-999', 60_000)).state).toBe('completed');
    expect((await store.claim('done-0', 60_000)).state).toBe('claimed');
  });

  it('judges leases and retention by its clock', async () => {
    let now = 1_000;
    const store = memoryStore({ now: () => now });
    const first = await store.claim('k', 100);
    if (first.state !== 'claimed') throw new Error('expected a claim');
    expect(await store.claim('k', 100)).toEqual({ state: 'in_progress', retryAfterMs: 100 });
    now += 60;
    expect(await store.claim('k', 100)).toEqual({ state: 'in_progress', retryAfterMs: 40 });
    now += 40;
    const second = await store.claim('k', 100);
    expect(second.state).toBe('claimed');
    expect(await store.complete('k', first.token, 1000)).toBe(false);
    if (second.state !== 'claimed') throw new Error('expected a claim');
    expect(await store.complete('k', second.token, 1000)).toBe(true);
    now += 999;
    expect((await store.claim('k', 100)).state).toBe('completed');
    now += 1;
    expect((await store.claim('k', 100)).state).toBe('claimed');
  });

  it('keeps exactly the newest completed records, with live claims held all along, however many pass', async () => {
    const store = memoryStore({ maxEntries: 60 });
    const live: string[] = [];
    for (let i = 0; i < 20; i++) {
      live.push(`live-${i}`);
      expect((await store.claim(`live-${i}`, 60_000)).state).toBe('claimed');
    }
    // Many rounds of eviction, with records re-claimed and re-completed in between (the order moves).
    for (let i = 0; i < 5000; i++) {
      const key = `done-${i % 3000}`;
      const claim = await store.claim(key, 60_000);
      if (claim.state === 'claimed') await store.complete(key, claim.token, 60_000);
    }
    for (const key of live) expect((await store.claim(key, 60_000)).state).toBe('in_progress');
    // 40 places are left beside the live claims: the 40 completed last are kept, the 41st is gone.
    for (let i = 4960; i < 5000; i++) expect((await store.claim(`done-${i % 3000}`, 60_000)).state).toBe('completed');
    expect((await store.claim(`done-${4959 % 3000}`, 60_000)).state).toBe('claimed');
  });

  it('evicts lapsed claims once no completed record is left, never live ones', async () => {
    let now = 0;
    const store = memoryStore({ maxEntries: 3, now: () => now });
    await store.claim('a', 10);
    await store.claim('b', 10);
    await store.claim('c', 1_000);
    now = 20; // a and b lapsed
    await store.claim('d', 1_000);
    await store.claim('e', 1_000);
    expect((await store.claim('c', 1_000)).state).toBe('in_progress');
    expect((await store.claim('d', 1_000)).state).toBe('in_progress');
    expect((await store.claim('e', 1_000)).state).toBe('in_progress');
    // Past the bound with only live claims: they all stay (a claim is never dropped).
    await store.claim('f', 1_000);
    for (const key of ['c', 'd', 'e', 'f']) expect((await store.claim(key, 1_000)).state).toBe('in_progress');
  });

  it('rejects a maxEntries that is not a positive integer', () => {
    expect(() => memoryStore({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => memoryStore({ maxEntries: 1.5 })).toThrow(RangeError);
  });
});
