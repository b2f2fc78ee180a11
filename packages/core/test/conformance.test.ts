import { describe, expect, it } from 'vitest';
import { memoryStore, type ClaimResult, type IdempotencyStore } from '@x/together-webhooks-core';
import { runStoreConformance, StoreConformanceError } from '@x/together-webhooks-core/testing';

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

interface Flaws {
  /** claim reads, yields, then writes: two concurrent claims both win. */
  checkThenSet?: boolean;
  /** renew/complete/release ignore the token. */
  noFencing?: boolean;
  /** claims never lapse. */
  ignoresLeases?: boolean;
  /** completed records never expire. */
  completionNeverExpires?: boolean;
  /** renew/complete/release check the token but not the lease's expiry. */
  lapsedStillOwned?: boolean;
}

/** A store over one shared map, correct unless told to be broken in one specific way. */
function referenceBackend(flaws: Flaws = {}): () => IdempotencyStore {
  const records = new Map<string, { token?: string; expiresAt: number }>();
  let counter = 0;
  const owns = (key: string, token: string) => {
    const record = records.get(key);
    if (!record || (!flaws.lapsedStillOwned && record.expiresAt <= Date.now())) return false;
    return flaws.noFencing ? record.token !== undefined : record.token === token;
  };
  return () => ({
    async claim(key, leaseMs): Promise<ClaimResult> {
      const record = records.get(key);
      if (flaws.checkThenSet) await tick();
      if (record && record.expiresAt > Date.now()) {
        return record.token === undefined
          ? { state: 'completed' }
          : { state: 'in_progress', retryAfterMs: record.expiresAt - Date.now() };
      }
      const token = `t${++counter}`;
      records.set(key, { token, expiresAt: flaws.ignoresLeases ? Infinity : Date.now() + leaseMs });
      return { state: 'claimed', token };
    },
    async renew(key, token, leaseMs) {
      if (!owns(key, token)) return false;
      records.get(key)!.expiresAt = flaws.ignoresLeases ? Infinity : Date.now() + leaseMs;
      return true;
    },
    async complete(key, token, retentionMs) {
      if (!owns(key, token)) return false;
      records.set(key, { expiresAt: flaws.completionNeverExpires ? Infinity : Date.now() + retentionMs });
      return true;
    },
    async release(key, token) {
      if (!owns(key, token)) return false;
      records.delete(key);
      return true;
    },
  });
}

// In-process stores: short leases keep the suite fast; the margins still tolerate a busy machine.
const timing = { leaseMs: 400, retentionMs: 700 };

describe.concurrent('runStoreConformance', () => {
  it('passes the memory store and reports every check', async () => {
    const store = memoryStore();
    const report = await runStoreConformance(() => store, timing);
    expect(report.passed).toBe(true);
    expect(report.checks.length).toBeGreaterThanOrEqual(12);
    expect(report.checks.every((check) => check.passed)).toBe(true);
  });

  it('passes a correct store over a shared backend', async () => {
    await expect(runStoreConformance(referenceBackend(), timing)).resolves.toMatchObject({ passed: true });
  });

  it.each([
    ['a check-then-set claim', { checkThenSet: true }, /exactly one is claimed/],
    ['a store without fencing', { noFencing: true }, /stale holder cannot renew, complete or release/],
    ['a store that ignores leases', { ignoresLeases: true }, /lapsed lease is taken over/],
    ['a store whose completions never expire', { completionNeverExpires: true }, /claimable again after its retention/],
    ['a store that lets a lapsed holder act', { lapsedStillOwned: true }, /lapsed lease cannot be renewed, completed or released/],
  ] as const)('rejects %s, naming the broken check', async (_name, flaws, check) => {
    const error = await runStoreConformance(referenceBackend(flaws), timing).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(StoreConformanceError);
    const conformance = error as StoreConformanceError;
    expect(conformance.message).toMatch(check);
    expect(conformance.report.passed).toBe(false);
    const failed = conformance.report.checks.filter((c) => !c.passed).map((c) => c.name);
    expect(failed.some((name) => check.test(name))).toBe(true);
  });

  it('hands every store it made to dispose', async () => {
    const backend = referenceBackend();
    const made = new Set<IdempotencyStore>();
    const disposed = new Set<IdempotencyStore>();
    await runStoreConformance(
      () => {
        const store = backend();
        made.add(store);
        return store;
      },
      { ...timing, dispose: (store) => disposed.add(store) },
    );
    expect(made.size).toBeGreaterThan(50);
    expect([...made].every((store) => disposed.has(store))).toBe(true);
  });

  it('reports a store that throws as a failure of each check, not a crash', async () => {
    const broken: IdempotencyStore = {
      claim: () => Promise.reject(new Error('connection refused')),
      renew: () => Promise.reject(new Error('connection refused')),
      complete: () => Promise.reject(new Error('connection refused')),
      release: () => Promise.reject(new Error('connection refused')),
    };
    const error = (await runStoreConformance(() => broken, timing).catch((e: unknown) => e)) as StoreConformanceError;
    expect(error).toBeInstanceOf(StoreConformanceError);
    expect(error.report.checks.every((check) => !check.passed && /connection refused/.test(check.failure ?? ''))).toBe(true);
  });
});
