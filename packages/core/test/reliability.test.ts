/**
 * Spec section 10's reliability bars for the pipeline: a lease is lost by its deadline whatever a
 * renewal in flight does, the deadline counts from before the claim was sent, and every store
 * call is bounded by `storeTimeoutMs`, so `handle()` always answers.
 */
import { describe, expect, it } from 'vitest';
import {
  createWebhooks,
  LeaseLostError,
  memoryStore,
  sign,
  StoreTimeoutError,
  type IdempotencyStore,
  type WebhookErrorContext,
} from '@x/together-webhooks-core';

const secret = 'whsec_reliability_test';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const never = <T>() => new Promise<T>(() => undefined);
// Timers on a loaded 2-core machine fire a little late; every bound below allows this much.
const TIMER_SLACK_MS = 40;
let sequence = 0;

function delivery(type = 'batch.completed') {
  const body = JSON.stringify({ id: `evt_rel_${++sequence}_${Date.now()}`, type, created: new Date().toISOString(), data: { id: 'b_1' } });
  return { body, headers: sign(body, { secret }) };
}

function collectErrors() {
  const errors: { error: unknown; context: WebhookErrorContext }[] = [];
  return { errors, onError: (error: unknown, context: WebhookErrorContext) => errors.push({ error, context }) };
}

/** `inner` with some methods replaced. */
function withStore(inner: IdempotencyStore, overrides: Partial<IdempotencyStore>): IdempotencyStore {
  return {
    claim: (key, leaseMs) => inner.claim(key, leaseMs),
    renew: (key, token, leaseMs) => inner.renew(key, token, leaseMs),
    complete: (key, token, retentionMs) => inner.complete(key, token, retentionMs),
    release: (key, token) => inner.release(key, token),
    ...overrides,
  };
}

/** A handler that works for `ms` in small steps and gives up when its signal aborts. */
function cooperativeWork(ms: number, log: { started: number[]; abortedAt: number[]; finished: string[] }, name: string) {
  return async (_event: unknown, { signal }: { signal: AbortSignal }) => {
    log.started.push(Date.now());
    const until = Date.now() + ms;
    signal.addEventListener('abort', () => log.abortedAt.push(Date.now()), { once: true });
    while (Date.now() < until) {
      if (signal.aborted) throw signal.reason;
      await sleep(10);
    }
    if (signal.aborted) throw signal.reason;
    log.finished.push(name);
  };
}

describe('a renewal that never answers (the exactly-once hole)', () => {
  it('aborts the holder by its deadline, so a later delivery that takes over is the only one to finish', async () => {
    const LEASE = 300;
    const shared = memoryStore();
    let claimSentAt = 0;
    // Instance A's connection silently drops traffic after the claim: its renewals never settle.
    const hung = withStore(shared, {
      claim: (key, leaseMs) => ((claimSentAt = Date.now()), shared.claim(key, leaseMs)),
      renew: () => never(),
    });
    const log = { started: [] as number[], abortedAt: [] as number[], finished: [] as string[] };
    const a = createWebhooks({ secret, store: hung, leaseMs: LEASE, onError: () => undefined });
    const b = createWebhooks({ secret, store: shared, leaseMs: LEASE, onError: () => undefined });
    a.on('batch.completed', cooperativeWork(1500, log, 'A'));
    b.on('batch.completed', cooperativeWork(100, log, 'B'));

    const sent = delivery();
    const answerA = a.handle(sent);
    await sleep(800);
    const answerB = await b.handle(sent);
    const resultA = await answerA;
    const answeredAt = Date.now();

    expect(log.abortedAt).toHaveLength(1);
    expect(log.abortedAt[0]! - claimSentAt).toBeLessThanOrEqual(LEASE + TIMER_SLACK_MS);
    // B started only after A had been told to stop.
    expect(log.started[1]).toBeGreaterThan(log.abortedAt[0]!);
    expect(answerB.outcome).toBe('processed');
    expect(resultA.outcome).toBe('failed');
    expect(resultA.error).toBeInstanceOf(LeaseLostError);
    expect(log.finished).toEqual(['B']);
    // Within leaseMs + the handler's own time + storeTimeoutMs.
    expect(answeredAt - claimSentAt).toBeLessThanOrEqual(LEASE + 1500 + LEASE / 3 + TIMER_SLACK_MS);
  });

  it('measures the deadline from before the claim was sent: a slow claim answer never extends it', async () => {
    const LEASE = 300;
    const inner = memoryStore();
    let claimSentAt = 0;
    const slowClaim = withStore(inner, {
      // The answer takes 200 ms to arrive; renewals fail.
      claim: async (key, leaseMs) => {
        claimSentAt = Date.now();
        const answer = await inner.claim(key, leaseMs);
        await sleep(200);
        return answer;
      },
      renew: () => Promise.reject(new Error('store down')),
    });
    const log = { started: [] as number[], abortedAt: [] as number[], finished: [] as string[] };
    const webhooks = createWebhooks({ secret, store: slowClaim, leaseMs: LEASE, storeTimeoutMs: 250, onError: () => undefined });
    webhooks.on('batch.completed', cooperativeWork(1000, log, 'A'));
    const result = await webhooks.handle(delivery());
    expect(result.outcome).toBe('failed');
    expect(log.abortedAt[0]! - claimSentAt).toBeLessThanOrEqual(LEASE + TIMER_SLACK_MS);
  });

  it('keeps a lease whose renewals answer, however long the handler runs', async () => {
    const LEASE = 150;
    const log = { started: [] as number[], abortedAt: [] as number[], finished: [] as string[] };
    const webhooks = createWebhooks({ secret, store: memoryStore(), leaseMs: LEASE });
    webhooks.on('batch.completed', cooperativeWork(LEASE * 4, log, 'A'));
    const result = await webhooks.handle(delivery());
    expect(result.outcome).toBe('processed');
    expect(log.abortedAt).toEqual([]);
  });

  it('reports a renewal that timed out as a renew error, and keeps the lease when the next one answers', async () => {
    const LEASE = 300;
    const inner = memoryStore();
    let renewals = 0;
    // The first renewal hangs; later ones answer.
    const flaky = withStore(inner, { renew: (key, token, leaseMs) => (++renewals === 1 ? never() : inner.renew(key, token, leaseMs)) });
    const { errors, onError } = collectErrors();
    const log = { started: [] as number[], abortedAt: [] as number[], finished: [] as string[] };
    const webhooks = createWebhooks({ secret, store: flaky, leaseMs: LEASE, storeTimeoutMs: 60, onError });
    webhooks.on('batch.completed', cooperativeWork(LEASE * 2, log, 'A'));
    const result = await webhooks.handle(delivery());
    expect(result.outcome).toBe('processed');
    expect(log.abortedAt).toEqual([]);
    expect(errors.map((e) => e.context.phase)).toEqual(['renew']);
    expect(errors[0]!.error).toBeInstanceOf(StoreTimeoutError);
    expect((errors[0]!.error as StoreTimeoutError).operation).toBe('renew');
  });
});

describe('storeTimeoutMs bounds every store call', () => {
  const cases: {
    name: string;
    overrides: Partial<IdempotencyStore>;
    handler?: () => void;
    outcome: string;
    status: number;
    phase: string;
  }[] = [
    { name: 'a claim that never answers is 503 store_unavailable', overrides: { claim: () => never() }, outcome: 'store_unavailable', status: 503, phase: 'claim' },
    { name: 'a completion that never answers is still 200 processed, and reported', overrides: { complete: () => never() }, outcome: 'processed', status: 200, phase: 'complete' },
    {
      name: 'a release that never answers after a failed handler is 500 failed, and reported',
      overrides: { release: () => never() },
      handler: () => {
        throw new Error('handler failed');
      },
      outcome: 'failed',
      status: 500,
      phase: 'release',
    },
  ];

  for (const entry of cases) {
    it(entry.name, async () => {
      const { errors, onError } = collectErrors();
      const webhooks = createWebhooks({ secret, store: withStore(memoryStore(), entry.overrides), leaseMs: 3000, storeTimeoutMs: 100, onError });
      webhooks.on('batch.completed', entry.handler ?? (() => undefined));
      const started = Date.now();
      const result = await webhooks.handle(delivery());
      expect(Date.now() - started).toBeLessThan(100 + 500);
      expect(result).toMatchObject({ outcome: entry.outcome, status: entry.status });
      const timedOut = errors.find((e) => e.context.phase === entry.phase);
      expect(timedOut?.error).toBeInstanceOf(StoreTimeoutError);
      expect((timedOut!.error as Error).message).toMatch(/did not answer within 100 ms \(storeTimeoutMs\)/);
    });
  }

  it('bounds dispatch() the same way', async () => {
    const webhooks = createWebhooks({ secret, store: withStore(memoryStore(), { claim: () => never() }), leaseMs: 600, onError: () => undefined });
    webhooks.on('batch.completed', () => undefined);
    const started = Date.now();
    const result = await webhooks.dispatch(JSON.parse(delivery().body) as Parameters<typeof webhooks.dispatch>[0]);
    expect(result.outcome).toBe('store_unavailable');
    // The default is a third of the lease.
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(200 + 400);
  });

  it('turns a store method that throws at once into the same answers', async () => {
    const throwing = withStore(memoryStore(), {
      claim: () => {
        throw new Error('not connected');
      },
    });
    const webhooks = createWebhooks({ secret, store: throwing, onError: () => undefined });
    webhooks.on('batch.completed', () => undefined);
    expect((await webhooks.handle(delivery())).outcome).toBe('store_unavailable');
  });

  it.each([
    [{ storeTimeoutMs: 0 }, /storeTimeoutMs must be more than 0 and at most leaseMs/],
    [{ storeTimeoutMs: 2000, leaseMs: 1000 }, /storeTimeoutMs must be more than 0 and at most leaseMs/],
    [{ storeTimeoutMs: -1 }, /storeTimeoutMs must be a finite number >= 0/],
    [{ storeTimeoutMs: Number.NaN }, /storeTimeoutMs must be a finite number >= 0/],
    [{ retentionSeconds: 0 }, /retentionSeconds must be more than 0/],
  ])('refuses %o at construction', (options, message) => {
    expect(() => createWebhooks({ secret, store: memoryStore(), ...options })).toThrow(message);
  });
});
