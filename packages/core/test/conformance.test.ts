import { describe, expect, it } from 'vitest';
import { memoryStore, type ClaimResult, type IdempotencyStore } from '@x/together-webhooks-core';
import {
  runStoreConformance,
  StoreConformanceError,
  storeConformanceChecks,
  type StoreConformanceReport,
} from '@x/together-webhooks-core/testing';

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
  /** keys are cut to this many characters: long keys sharing a prefix collide. */
  cutsKeysTo?: number;
  /** keys longer than this many UTF-8 bytes are refused, as DynamoDB refuses a partition key over 2048. */
  refusesKeysOverBytes?: number;
}

/** A store over one shared map, correct unless told to be broken in one specific way. */
function referenceBackend(flaws: Flaws = {}): () => IdempotencyStore {
  const records = new Map<string, { token?: string; expiresAt: number }>();
  let counter = 0;
  const stored = (key: string): string => {
    if (flaws.refusesKeysOverBytes !== undefined && new TextEncoder().encode(key).byteLength > flaws.refusesKeysOverBytes) {
      throw new Error(`key too long: over ${flaws.refusesKeysOverBytes} bytes`);
    }
    return flaws.cutsKeysTo === undefined ? key : key.slice(0, flaws.cutsKeysTo);
  };
  const owns = (key: string, token: string) => {
    const record = records.get(stored(key));
    if (!record || (!flaws.lapsedStillOwned && record.expiresAt <= Date.now())) return false;
    return flaws.noFencing ? record.token !== undefined : record.token === token;
  };
  return () => ({
    async claim(key, leaseMs): Promise<ClaimResult> {
      const record = records.get(stored(key));
      if (flaws.checkThenSet) await tick();
      if (record && record.expiresAt > Date.now()) {
        return record.token === undefined
          ? { state: 'completed' }
          : { state: 'in_progress', retryAfterMs: record.expiresAt - Date.now() };
      }
      const token = `t${++counter}`;
      records.set(stored(key), { token, expiresAt: flaws.ignoresLeases ? Infinity : Date.now() + leaseMs });
      return { state: 'claimed', token };
    },
    async renew(key, token, leaseMs) {
      if (!owns(key, token)) return false;
      records.get(stored(key))!.expiresAt = flaws.ignoresLeases ? Infinity : Date.now() + leaseMs;
      return true;
    },
    async complete(key, token, retentionMs) {
      if (!owns(key, token)) return false;
      records.set(stored(key), { expiresAt: flaws.completionNeverExpires ? Infinity : Date.now() + retentionMs });
      return true;
    },
    async release(key, token) {
      if (!owns(key, token)) return false;
      records.delete(stored(key));
      return true;
    },
  });
}

// In-process stores: short leases keep the suite fast; the margins still tolerate a busy machine.
const timing = { leaseMs: 400, retentionMs: 700 };

/** The report covers every check the kit names, in its order, each passed and timed. */
function expectEveryCheckPassed(report: StoreConformanceReport): void {
  expect(report.checks.map((check) => check.name)).toEqual([...storeConformanceChecks]);
  expect(report.checks.filter((check) => !check.passed)).toEqual([]);
  for (const check of report.checks) {
    expect(check.failure, check.name).toBeUndefined();
    expect(Number.isFinite(check.durationMs) && check.durationMs >= 0, `${check.name}: durationMs ${check.durationMs}`).toBe(true);
  }
  expect(report.passed).toBe(true);
}

describe.concurrent('runStoreConformance', () => {
  it('passes the memory store and reports every check', async () => {
    const store = memoryStore();
    expectEveryCheckPassed(await runStoreConformance(() => store, timing));
  });

  it('passes a correct store over a shared backend', async () => {
    expectEveryCheckPassed(await runStoreConformance(referenceBackend(), timing));
  });

  it('names its checks: the unusual and long keys among them', () => {
    expect(storeConformanceChecks).toContain('keys with unusual characters work');
    expect(storeConformanceChecks).toContain('long keys work, and long keys sharing a prefix stay distinct');
    expect(new Set(storeConformanceChecks).size).toBe(storeConformanceChecks.length);
    expect(Object.isFrozen(storeConformanceChecks)).toBe(true);
  });

  it.each([
    ['a check-then-set claim', { checkThenSet: true }, /exactly one is claimed/],
    ['a store without fencing', { noFencing: true }, /stale holder cannot renew, complete or release/],
    ['a store that ignores leases', { ignoresLeases: true }, /lapsed lease is taken over/],
    ['a store whose completions never expire', { completionNeverExpires: true }, /claimable again after its retention/],
    ['a store that lets a lapsed holder act', { lapsedStillOwned: true }, /lapsed lease cannot be renewed, completed or released/],
    ['a store that cuts keys to 2000 characters', { cutsKeysTo: 2000 }, /long keys work, and long keys sharing a prefix stay distinct/],
    ['a store that cuts keys to 4000 characters', { cutsKeysTo: 4000 }, /long keys work, and long keys sharing a prefix stay distinct/],
    ['a store that refuses keys over 2048 bytes', { refusesKeysOverBytes: 2048 }, /long keys work, and long keys sharing a prefix stay distinct/],
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
