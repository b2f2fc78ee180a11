import { describe, expect, it } from 'vitest';
import { createWebhooks, type IdempotencyStore } from '@x/together-webhooks-core';
import { redisStore } from '../src/index.js';
import { clientKinds, type OpenClient } from './clients.js';
import { redisServerAvailable, startRedis } from '@x/together-webhooks-test-support/redis-server';
import { deliver, deliverUntilAcknowledged, runLimited, shuffle, testEvent, type DeliveryAnswer } from './support/deliveries.js';
import { serveWebhooks, type WebhookServer } from './support/webhook-server.js';

const secret = 'whsec_fault';
const KEY_PREFIX = 'together:event:';

/** Remembers which keys this instance holds a live claim on, as its store answered. */
function trackClaims(inner: IdempotencyStore): { store: IdempotencyStore; holds(key: string): boolean } {
  const held = new Set<string>();
  return {
    holds: (key) => held.has(key),
    store: {
      async claim(key, leaseMs) {
        const result = await inner.claim(key, leaseMs);
        if (result.state === 'claimed') held.add(key);
        return result;
      },
      renew: (key, token, leaseMs) => inner.renew(key, token, leaseMs),
      async complete(key, token, retentionMs) {
        try {
          return await inner.complete(key, token, retentionMs);
        } finally {
          held.delete(key);
        }
      },
      async release(key, token) {
        try {
          return await inner.release(key, token);
        } finally {
          held.delete(key);
        }
      },
    },
  };
}

describe.skipIf(!redisServerAvailable)('Redis killed in the middle of a stream of deliveries', () => {
  it('answers 503 with Retry-After while it is down, loses no event, and re-runs only events whose completion write failed', async () => {
    const redis = await startRedis({ persistent: true });
    const clients: OpenClient[] = [];
    const servers: WebhookServer[] = [];
    const runs = new Map<string, number>();
    const completionFailed = new Set<string>();
    const runsWithoutClaim: string[] = [];
    try {
      // Four instances, one per supported client, each configured to fail fast (see clients.ts).
      for (const kind of clientKinds) {
        const opened = await kind.connect(redis.url);
        clients.push(opened);
        const tracked = trackClaims(redisStore({ client: opened.client }));
        const webhooks = createWebhooks({
          secret,
          store: tracked.store,
          leaseMs: 1_500,
          onError(_error, context) {
            if (context.phase === 'complete' && context.event) completionFailed.add(context.event.id);
          },
        }).onAny(async (event) => {
          if (!tracked.holds(KEY_PREFIX + event.id)) runsWithoutClaim.push(event.id);
          runs.set(event.id, (runs.get(event.id) ?? 0) + 1);
          await new Promise((resolve) => setTimeout(resolve, 20));
        });
        servers.push(await serveWebhooks(webhooks));
      }

      // 150 events, each delivered twice to two different instances, in a shuffled stream.
      const events = Array.from({ length: 150 }, (_, i) => testEvent(`evt_fault_${Date.now()}_${i}`));
      const stream = shuffle(
        events.flatMap((event, i) => [0, 1].map((copy) => ({ event, url: servers[(i + copy) % servers.length]!.url }))),
        7,
      );
      let answered = 0;
      let killedAt = -1;
      let killed: Promise<void> | undefined;
      const started = Date.now();
      const firstPass = await runLimited(
        stream.map((send) => async (): Promise<DeliveryAnswer> => {
          const answer = await deliver(send.url, send.event, secret);
          // SIGKILL once a third of the stream is answered: deliveries are in flight at that moment.
          if (++answered === Math.floor(stream.length / 3)) {
            killedAt = answered;
            killed = redis.kill();
          }
          return answer;
        }),
        8,
      );
      await killed;
      const firstPassMs = Date.now() - started;

      const outcomes = firstPass.map((answer) => `${answer.status} ${answer.outcome ?? '?'}`);
      const unavailable = firstPass.filter((answer) => answer.status === 503);
      expect(killedAt).toBeGreaterThan(0);
      expect(unavailable.length).toBeGreaterThan(0);
      for (const answer of unavailable) {
        expect(answer.outcome).toBe('store_unavailable');
        expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
      }
      for (const outcome of new Set(outcomes)) {
        expect(['200 processed', '200 duplicate', '409 in_progress', '503 store_unavailable']).toContain(outcome);
      }
      // Fail fast: the outage did not make requests hang.
      expect(firstPassMs).toBeLessThan(20_000);

      // Redis comes back on the same port and data directory; everything not acknowledged is resent.
      await redis.restart();
      const resend = stream.filter((_, i) => firstPass[i]!.status < 200 || firstPass[i]!.status >= 300);
      await runLimited(
        resend.map((send) => () => deliverUntilAcknowledged(send.url, send.event, secret, { timeoutMs: 45_000 })),
        8,
      );

      expect(runsWithoutClaim).toEqual([]);
      for (const event of events) expect(runs.get(event.id) ?? 0, `runs of ${event.id}`).toBeGreaterThanOrEqual(1);
      const ranTwice = events.filter((event) => (runs.get(event.id) ?? 0) > 1).map((event) => event.id);
      // The one exception to exactly-once: the handler succeeded, then its completion write failed.
      for (const id of ranTwice) expect(completionFailed, `${id} ran twice`).toContain(id);
      console.info(
        `fault: ${stream.length} deliveries, Redis killed after ${killedAt}; ${unavailable.length} answered 503; ` +
          `${resend.length} resent; ${completionFailed.size} completion writes failed; ${ranTwice.length} events ran twice`,
      );
    } finally {
      await Promise.all(servers.map((server) => server.close()));
      await Promise.all(clients.map((client) => client.close()));
      await redis.stop();
    }
  });
});
