/**
 * The proofs both distributed stores go through, over real HTTP: exactly once per event id
 * across processes, a throwing handler retried once, and a lapsed lease taken over.
 */
import { expect } from 'vitest';
import { createWebhooks, LeaseLostError, type IdempotencyStore, type WebhookErrorContext } from '@x/together-webhooks-core';
import type { Cluster } from './cluster.js';
import { deliver, deliverUntilAcknowledged, runLimited, shuffle, testEvent, type DeliveryAnswer } from './deliveries.js';
import { serveWebhooks } from './webhook-server.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function tally(answers: readonly DeliveryAnswer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) {
    const name = `${answer.status} ${answer.outcome ?? '?'}`;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/**
 * 50 event ids, each sent to every process `rounds` times, shuffled and concurrent: every id's
 * handler runs exactly once in total.
 */
export async function everyIdOnceAcrossProcesses(cluster: Cluster, secret: string, { ids = 50, rounds = 3, concurrency = 48 } = {}) {
  const prefix = `evt_spread_${Date.now()}_`;
  const events = Array.from({ length: ids }, (_, i) => testEvent(`${prefix}${i}`, { workMs: 30 }));
  // Round after round, each id goes to every process; shuffling within windows no larger than the
  // concurrency keeps deliveries of one id in flight at once in different processes.
  const ordered = Array.from({ length: rounds }, () =>
    events.flatMap((event) => cluster.urls.map((url) => () => deliver(url, event, secret))),
  ).flat();
  const window = Math.max(1, Math.floor(concurrency / 2));
  const sends = Array.from({ length: Math.ceil(ordered.length / window) }, (_, i) =>
    shuffle(ordered.slice(i * window, (i + 1) * window), 20240611 + i),
  ).flat();
  const answers = await runLimited(sends, concurrency);
  const outcomes = tally(answers);

  const { runs } = cluster.record();
  for (const event of events) expect(runs.get(event.id), `handler runs of ${event.id}`).toBe(1);
  expect(outcomes['200 processed']).toBe(ids);
  // The rest were told it is done, or to come back later: never a failure.
  expect(Object.keys(outcomes).sort()).toEqual(expect.arrayContaining(['200 processed']));
  for (const name of Object.keys(outcomes)) expect(['200 processed', '200 duplicate', '409 in_progress']).toContain(name);
  for (const answer of answers) if (answer.status === 409) expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
  return { deliveries: answers.length, outcomes };
}

/** 200 concurrent deliveries of one event id, spread over the processes: one handler run. */
export async function oneIdTwoHundredTimes(cluster: Cluster, secret: string) {
  const event = testEvent(`evt_burst_${Date.now()}`, { workMs: 50 });
  const answers = await Promise.all(
    Array.from({ length: 200 }, (_, i) => deliver(cluster.urls[i % cluster.urls.length]!, event, secret)),
  );
  expect(cluster.record().runs.get(event.id)).toBe(1);
  const outcomes = tally(answers);
  expect(outcomes['200 processed']).toBe(1);
  return { outcomes };
}

/** A handler that throws on its first attempt: released, retried by the sender, and run once more. */
export async function throwingHandlerRetriedOnce(cluster: Cluster, secret: string) {
  const event = testEvent(`evt_flaky_${Date.now()}`, { failFirst: true, workMs: 20 });
  const answers = (
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => deliverUntilAcknowledged(cluster.urls[i % cluster.urls.length]!, event, secret)),
    )
  ).flat();
  const record = cluster.record();
  expect(record.failures.get(event.id)).toBe(1);
  expect(record.runs.get(event.id)).toBe(1);
  const outcomes = tally(answers);
  expect(outcomes['500 failed']).toBe(1);
  expect(outcomes['200 processed']).toBe(1);
  return { outcomes };
}

/**
 * A holder whose renewals stall (a long GC pause, a slow network) loses its lease: a second
 * delivery takes the event over; the slow holder's `ctx.signal` aborts and its `complete`
 * answers false, leaving the new holder's completion in place.
 */
export async function lapsedLeaseTakenOver(openStore: () => Promise<IdempotencyStore>, leaseMs: number) {
  const secret = 'whsec_lease_lapse';
  const inner = await openStore();
  const completes: boolean[] = [];
  const stalled: IdempotencyStore = {
    claim: (key, ms) => inner.claim(key, ms),
    // Each renewal reaches the store two leases late, long after the lease lapsed.
    renew: async (key, token, ms) => {
      await sleep(leaseMs * 2);
      return inner.renew(key, token, ms);
    },
    complete: async (key, token, ms) => {
      const done = await inner.complete(key, token, ms);
      completes.push(done);
      return done;
    },
    release: (key, token) => inner.release(key, token),
  };
  const slowErrors: WebhookErrorContext[] = [];
  const handlerRuns: string[] = [];
  let slowStarted!: () => void;
  const started = new Promise<void>((resolve) => (slowStarted = resolve));
  let tookOver!: () => void;
  const takenOver = new Promise<void>((resolve) => (tookOver = resolve));
  let slowSignal: AbortSignal | undefined;
  let abortedAt = Number.POSITIVE_INFINITY;

  const slow = createWebhooks({ secret, store: stalled, leaseMs, onError: (_error, context) => slowErrors.push(context) }).onAny(
    async (_event, { signal }) => {
      handlerRuns.push('slow');
      slowSignal = signal;
      signal.addEventListener('abort', () => (abortedAt = Date.now()), { once: true });
      slowStarted();
      // A handler that ignores its signal and finishes after the takeover (bounded, should that never come):
      // fencing must keep its completion from overwriting the new holder's.
      await Promise.race([takenOver, sleep(leaseMs * 20)]);
    },
  );
  const fast = createWebhooks({ secret, store: await openStore(), leaseMs }).onAny(() => {
    handlerRuns.push('fast');
  });
  const slowServer = await serveWebhooks(slow);
  const fastServer = await serveWebhooks(fast);
  try {
    const event = testEvent(`evt_lapse_${Date.now()}`);
    const slowAnswer = deliver(slowServer.url, event, secret);
    await started;
    await sleep(leaseMs * 1.5);
    const takeoverStartedAt = Date.now();
    const takeover = await deliver(fastServer.url, event, secret);
    tookOver();
    // The slow holder was told before anyone else could take the event over.
    expect(abortedAt).toBeLessThan(takeoverStartedAt);
    expect(takeover).toMatchObject({ status: 200, outcome: 'processed' });

    // The slow delivery's work is done, so it answers 200 and reports the lost claim to onError.
    expect(await slowAnswer).toMatchObject({ status: 200, outcome: 'processed' });
    expect(slowSignal?.aborted).toBe(true);
    expect(slowSignal?.reason).toBeInstanceOf(LeaseLostError);
    expect(completes).toEqual([false]);
    expect(slowErrors.map((context) => context.phase)).toContain('complete');
    expect(handlerRuns).toEqual(['slow', 'fast']);

    // The new holder's completion stood: later deliveries are duplicates, to either instance.
    expect(await deliver(slowServer.url, event, secret)).toMatchObject({ status: 200, outcome: 'duplicate' });
    expect(await deliver(fastServer.url, event, secret)).toMatchObject({ status: 200, outcome: 'duplicate' });
  } finally {
    await Promise.all([slowServer.close(), fastServer.close()]);
  }
}
