/**
 * @module testing/conformance — proves an `IdempotencyStore` keeps the contract of spec
 * section 7, with no test framework: one call inside whatever runner the user has.
 */
import type { ClaimResult, IdempotencyStore } from '@x/together-webhooks-core';

/** Options of {@link runStoreConformance}. */
export interface StoreConformanceOptions {
  /**
   * Lease used by the lapse and takeover checks, waited out. Default 1000: long enough for a
   * network store on a busy machine; shorten it for an in-process store.
   */
  leaseMs?: number;
  /** Retention used by the expiry checks; waited out too. Default 1500. */
  retentionMs?: number;
  /** Concurrent claims of one key, each from its own store object. Default 50. */
  concurrency?: number;
  /** Prefix of every key the kit writes. Default `conformance:<random>:`. */
  keyPrefix?: string;
  /** Called with every store `makeStore` returned, once the checks are over: close connections here. */
  dispose?: (store: IdempotencyStore) => unknown;
}

/** One check's outcome. */
export interface StoreConformanceCheck {
  name: string;
  passed: boolean;
  /** Why it failed. */
  failure?: string;
  durationMs: number;
}

/** What the kit found. */
export interface StoreConformanceReport {
  /** Whether every check passed: true in a report the kit resolves to, false in a {@link StoreConformanceError}'s. */
  passed: boolean;
  checks: StoreConformanceCheck[];
}

/** Rejection of {@link runStoreConformance}: names every failed check; the full report is attached. */
export class StoreConformanceError extends Error {
  override readonly name = 'StoreConformanceError';
  constructor(readonly report: StoreConformanceReport) {
    const failed = report.checks.filter((check) => !check.passed);
    super(
      `the store broke the idempotency contract in ${failed.length} check(s):\n` +
        failed.map((check) => `- ${check.name}: ${check.failure ?? 'failed'}`).join('\n'),
    );
  }
}

class CheckFailure extends Error {}

function expect(condition: boolean, failure: string): asserts condition {
  if (!condition) throw new CheckFailure(failure);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function describe(result: ClaimResult): string {
  return JSON.stringify(result);
}

async function claimed(store: IdempotencyStore, key: string, leaseMs: number, when: string): Promise<string> {
  const result = await store.claim(key, leaseMs);
  expect(result.state === 'claimed', `${when}: expected claimed, got ${describe(result)}`);
  expect(typeof result.token === 'string' && result.token.length > 0, `${when}: claimed without a token`);
  return result.token;
}

async function expectState(
  store: IdempotencyStore,
  key: string,
  leaseMs: number,
  state: ClaimResult['state'],
  when: string,
): Promise<ClaimResult> {
  const result = await store.claim(key, leaseMs);
  expect(result.state === state, `${when}: expected ${state}, got ${describe(result)}`);
  return result;
}

type Check = (key: (name: string) => string) => Promise<void>;

/**
 * The names of the checks {@link runStoreConformance} runs, in the order of its report's `checks`:
 * a test can assert that the report covers every one of them.
 *
 * @example
 * ```ts
 * import { runStoreConformance, storeConformanceChecks } from '@x/together-webhooks-core/testing';
 *
 * const report = await runStoreConformance(() => myStore({ client: new Client(url) }));
 * expect(report.checks.map((check) => check.name)).toEqual([...storeConformanceChecks]);
 * ```
 */
export const storeConformanceChecks = Object.freeze([
  'concurrent claims of one key from separate store objects: exactly one is claimed',
  'a duplicate during processing is in_progress with a sensible retryAfterMs',
  'a duplicate after completion is completed',
  'a lapsed lease is taken over by a new claim with a new token',
  'a stale holder cannot renew, complete or release after a takeover, and changes nothing',
  'a token that never owned the key cannot renew, complete or release',
  'release lets the next claim in at once',
  'a completed record is not overwritten while retained',
  'a completed record is claimable again after its retention',
  'renew extends a lease',
  'a lapsed lease cannot be renewed, completed or released, even before a takeover',
  'distinct keys never interfere',
  'keys with unusual characters work',
  'long keys work, and long keys sharing a prefix stay distinct',
] as const);

/** The name of one check of {@link runStoreConformance}. */
export type StoreConformanceCheckName = (typeof storeConformanceChecks)[number];

/** A key of exactly `length` UTF-16 code units: `start`, then `fill` (BMP only, so the cut splits no pair) repeated. */
function keyOfLength(start: string, fill: string, length: number): string {
  return (start + fill.repeat(Math.ceil(length / fill.length))).slice(0, length);
}

/**
 * Checks a store against the idempotency contract: atomic claims under concurrency from separate
 * store objects, duplicates, lease lapse and takeover, fencing of stale holders, release,
 * retention and its expiry, renewal, key isolation, unusual keys, long keys (4096 characters,
 * ASCII and not, and long keys sharing a long prefix). The names of the checks, in the report's
 * order, are {@link storeConformanceChecks}.
 *
 * @param makeStore - returns a NEW store object over the SAME backend on each call (a new client
 * or connection where the backend has them), so sharing across instances is checked too
 * @param options - timings and concurrency; the defaults take a few seconds
 * @returns the report, when every check passed
 * @throws {@link StoreConformanceError} naming each failed check, when any failed
 * @example
 * ```ts
 * import { runStoreConformance } from '@x/together-webhooks-core/testing';
 *
 * test('my store keeps the contract', async () => {
 *   await runStoreConformance(() => myStore({ client: new Client(url) }));
 * }, 30_000);
 * ```
 */
export async function runStoreConformance(
  makeStore: () => IdempotencyStore | Promise<IdempotencyStore>,
  options: StoreConformanceOptions = {},
): Promise<StoreConformanceReport> {
  if (typeof makeStore !== 'function') throw new TypeError('makeStore must be a function returning a store');
  const leaseMs = options.leaseMs ?? 1000;
  const retentionMs = options.retentionMs ?? 1500;
  const concurrency = options.concurrency ?? 50;
  const prefix = options.keyPrefix ?? `conformance:${Math.random().toString(36).slice(2)}:`;
  // Generous margins: a check waits well past a deadline before calling it lapsed.
  const pastLease = leaseMs * 1.5 + 50;
  const pastRetention = retentionMs * 1.5 + 50;
  const LONG = 60_000;
  const made: IdempotencyStore[] = [];
  const newStore = async (): Promise<IdempotencyStore> => {
    const created = await makeStore();
    made.push(created);
    return created;
  };
  const store = await newStore();

  const checks: Record<StoreConformanceCheckName, Check> = {
    async 'concurrent claims of one key from separate store objects: exactly one is claimed'(key) {
      const k = key('race');
      const stores = await Promise.all(Array.from({ length: concurrency }, () => newStore()));
      const results = await Promise.all(stores.map((s) => s.claim(k, LONG)));
      const winners = results.filter((r) => r.state === 'claimed').length;
      expect(winners === 1, `${concurrency} concurrent claims gave ${winners} claimed`);
      expect(
        results.every((r) => r.state === 'claimed' || r.state === 'in_progress'),
        `losers must be in_progress, got ${results.filter((r) => r.state !== 'claimed' && r.state !== 'in_progress').map(describe).join(', ')}`,
      );
    },
    async 'a duplicate during processing is in_progress with a sensible retryAfterMs'(key) {
      const k = key('busy');
      await claimed(store, k, LONG, 'first claim');
      const result = await expectState(store, k, LONG, 'in_progress', 'second claim');
      const retry = (result as { retryAfterMs: number }).retryAfterMs;
      expect(Number.isFinite(retry) && retry > 0 && retry <= LONG, `retryAfterMs ${retry} is not within (0, ${LONG}]`);
    },
    async 'a duplicate after completion is completed'(key) {
      const k = key('done');
      const token = await claimed(store, k, LONG, 'claim');
      expect(await store.complete(k, token, LONG), 'complete by the owner answered false');
      await expectState(store, k, LONG, 'completed', 'claim after completion');
      await expectState(await newStore(), k, LONG, 'completed', 'claim after completion from another store object');
    },
    async 'a lapsed lease is taken over by a new claim with a new token'(key) {
      const k = key('lapse');
      const first = await claimed(store, k, leaseMs, 'first claim');
      await sleep(pastLease);
      const second = await claimed(await newStore(), k, LONG, 'claim after the lease lapsed');
      expect(second !== first, 'the takeover reused the stale token');
    },
    async 'a stale holder cannot renew, complete or release after a takeover, and changes nothing'(key) {
      const k = key('fence');
      const stale = await claimed(store, k, leaseMs, 'first claim');
      await sleep(pastLease);
      const fresh = await claimed(store, k, LONG, 'takeover');
      expect((await store.renew(k, stale, LONG)) === false, 'stale renew answered true');
      expect((await store.complete(k, stale, LONG)) === false, 'stale complete answered true');
      expect((await store.release(k, stale)) === false, 'stale release answered true');
      await expectState(store, k, LONG, 'in_progress', 'claim after the stale holder acted');
      expect(await store.complete(k, fresh, LONG), "the new holder's complete answered false");
      await expectState(store, k, LONG, 'completed', 'claim after the new holder completed');
    },
    async 'a token that never owned the key cannot renew, complete or release'(key) {
      const k = key('foreign');
      const token = await claimed(store, k, LONG, 'claim');
      const forged = `${token}-not-the-owner`;
      expect((await store.renew(k, forged, LONG)) === false, 'renew with a foreign token answered true');
      expect((await store.complete(k, forged, LONG)) === false, 'complete with a foreign token answered true');
      expect((await store.release(k, forged)) === false, 'release with a foreign token answered true');
      expect((await store.release(key('absent'), token)) === false, 'release of a key never claimed answered true');
      await expectState(store, k, LONG, 'in_progress', 'claim after foreign calls');
    },
    async 'release lets the next claim in at once'(key) {
      const k = key('release');
      const token = await claimed(store, k, LONG, 'claim');
      expect(await store.release(k, token), 'release by the owner answered false');
      const next = await claimed(await newStore(), k, LONG, 'claim after release');
      expect((await store.release(k, token)) === false, "the released token's second release answered true");
      expect(await store.release(k, next), 'release by the new owner answered false');
    },
    async 'a completed record is not overwritten while retained'(key) {
      const k = key('retained');
      const token = await claimed(store, k, leaseMs, 'claim');
      expect(await store.complete(k, token, LONG), 'complete answered false');
      expect((await store.release(k, token)) === false, 'release after completion answered true');
      expect((await store.renew(k, token, leaseMs)) === false, 'renew after completion answered true');
      await sleep(pastLease);
      await expectState(store, k, LONG, 'completed', 'claim after the old lease would have lapsed');
    },
    async 'a completed record is claimable again after its retention'(key) {
      const k = key('expiry');
      const token = await claimed(store, k, LONG, 'claim');
      expect(await store.complete(k, token, retentionMs), 'complete answered false');
      await expectState(store, k, LONG, 'completed', 'claim during retention');
      await sleep(pastRetention);
      await claimed(store, k, LONG, 'claim after retention');
    },
    async 'renew extends a lease'(key) {
      const k = key('renew');
      const token = await claimed(store, k, leaseMs, 'claim');
      await sleep(leaseMs / 2);
      expect(await store.renew(k, token, leaseMs * 4), 'renew by the owner answered false');
      await sleep(pastLease);
      await expectState(store, k, LONG, 'in_progress', 'claim after the original lease would have lapsed');
      expect(await store.complete(k, token, LONG), 'complete after renewal answered false');
    },
    async 'a lapsed lease cannot be renewed, completed or released, even before a takeover'(key) {
      await Promise.all(
        (['renew', 'complete', 'release'] as const).map(async (action) => {
          const k = key(`late-${action}`);
          const token = await claimed(store, k, leaseMs, `claim for a late ${action}`);
          await sleep(pastLease);
          const answer = action === 'release' ? await store.release(k, token) : await store[action](k, token, LONG);
          expect(answer === false, `${action} after the lease lapsed answered true`);
          await claimed(store, k, LONG, `claim after a late ${action}`);
        }),
      );
    },
    async 'distinct keys never interfere'(key) {
      const a = key('a');
      const b = key('b');
      const tokenA = await claimed(store, a, LONG, 'claim a');
      const tokenB = await claimed(store, b, LONG, 'claim b while a is held');
      expect(await store.complete(a, tokenA, LONG), 'complete a answered false');
      await expectState(store, b, LONG, 'in_progress', 'claim b after a completed');
      expect(await store.release(b, tokenB), 'release b answered false');
      await expectState(store, a, LONG, 'completed', 'claim a after b was released');
      expect((await store.complete(b, tokenA, LONG)) === false, "a's token completed b");
    },
    async 'keys with unusual characters work'(key) {
      const unusual = [
        'spaces and\ttabs',
        'ünïcödé-ключ-键-🔑',
        'glob*?[chars]{1}',
        'colons:and/slashes\\',
        "quotes'\"`",
        'x'.repeat(400),
      ];
      for (const name of unusual) {
        const k = key(name);
        const token = await claimed(store, k, LONG, `claim ${JSON.stringify(name.slice(0, 20))}`);
        expect(await store.complete(k, token, LONG), `complete ${JSON.stringify(name.slice(0, 20))} answered false`);
        await expectState(store, k, LONG, 'completed', `claim ${JSON.stringify(name.slice(0, 20))} after completion`);
      }
    },
    // Spec section 14: an event id of any length works with every store, whatever its key limit.
    async 'long keys work, and long keys sharing a prefix stay distinct'(key) {
      const ascii = keyOfLength(key('long:'), 'x', 4096);
      const unicode = keyOfLength(key('long-ünïcödé-🔑:'), 'ключ-键-é', 4096);
      for (const [what, k] of [['a 4096-character key', ascii], ['a 4096-character non-ASCII key', unicode]] as const) {
        const token = await claimed(store, k, LONG, `claim ${what}`);
        expect(await store.complete(k, token, LONG), `complete ${what} answered false`);
        await expectState(store, k, LONG, 'completed', `claim ${what} after completion`);
        await expectState(await newStore(), k, LONG, 'completed', `claim ${what} after completion from another store object`);
      }
      // Same first 2000 characters then different, and different in the last character only: a
      // store that cuts or digests long keys must still keep each of them apart.
      const siblings = [
        ['a key sharing the first 2000 characters of the completed one', keyOfLength(ascii.slice(0, 2000), 'y', 4096)],
        ['a key differing from the completed one in its last character only', `${ascii.slice(0, 4095)}z`],
        ['a non-ASCII key sharing the first 2000 characters of the completed one', keyOfLength(unicode.slice(0, 2000), 'ü', 4096)],
      ] as const;
      for (const [what, k] of siblings) {
        const token = await claimed(store, k, LONG, `claim ${what}`);
        await expectState(store, k, LONG, 'in_progress', `claim ${what} while it is held`);
        expect(await store.release(k, token), `release ${what} answered false`);
      }
      await expectState(store, ascii, LONG, 'completed', 'claim the 4096-character key after its siblings were claimed and released');
      await expectState(store, unicode, LONG, 'completed', 'claim the non-ASCII key after its sibling was claimed and released');
    },
  };

  // Independent checks run concurrently so the waits overlap; each has its own keys.
  const results = await Promise.all(
    storeConformanceChecks.map(async (name, index): Promise<StoreConformanceCheck> => {
      const started = Date.now();
      try {
        await checks[name]((suffix) => `${prefix}${index}:${suffix}`);
        return { name, passed: true, durationMs: Date.now() - started };
      } catch (error) {
        const failure = error instanceof CheckFailure ? error.message : `threw ${String(error)}`;
        return { name, passed: false, failure, durationMs: Date.now() - started };
      }
    }),
  );
  if (options.dispose) await Promise.all(made.map((created) => options.dispose?.(created)));
  const report: StoreConformanceReport = { passed: results.every((check) => check.passed), checks: results };
  if (!report.passed) throw new StoreConformanceError(report);
  return report;
}
