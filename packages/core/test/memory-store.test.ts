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

  it('rejects a maxEntries that is not a positive integer', () => {
    expect(() => memoryStore({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => memoryStore({ maxEntries: 1.5 })).toThrow(RangeError);
  });
});
