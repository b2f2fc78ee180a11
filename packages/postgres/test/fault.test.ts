import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { createWebhooks, StoreTimeoutError, type IdempotencyStore } from '@x/together-webhooks-core';
import { deliver, deliverUntilAcknowledged, runLimited, shuffle, testEvent, type DeliveryAnswer } from '../../redis/test/support/deliveries.js';
import { serveWebhooks, type WebhookServer } from '../../redis/test/support/webhook-server.js';
import { createTableSql, postgresStore } from '../src/index.js';
import { clientKinds, type OpenClient } from './clients.js';
import { skipWithoutOwnCluster, startOwnPostgres } from './postgres-server.js';

const secret = 'whsec_fault';
const KEY_PREFIX = 'together:event:';

/**
 * Remembers which keys this instance holds a live claim on, as its store answered, and adds each
 * error its complete() rejects with to `completeRejections`.
 */
function trackClaims(inner: IdempotencyStore, completeRejections: Set<unknown>): { store: IdempotencyStore; holds(key: string): boolean } {
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
        } catch (error) {
          completeRejections.add(error);
          throw error;
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

// A pg Client is one connection, dead for good once the server drops it: the instances here use
// the clients that reconnect (a pg Pool, a postgres.js sql), two of each, as the README advises.
const reconnecting = clientKinds.filter((kind) => kind.reconnects);

describe.skipIf(skipWithoutOwnCluster)('PostgreSQL shut down (immediate) in the middle of a stream of deliveries', () => {
  it('answers 503 with Retry-After while it is down, loses no event, and re-runs only events whose completion write failed', async () => {
    const server = await startOwnPostgres();
    const clients: OpenClient[] = [];
    const servers: WebhookServer[] = [];
    const runs = new Map<string, number>();
    const runsWithoutClaim: string[] = [];
    // What onError says with phase 'complete' is one of two things. A completion write that failed:
    // the store's complete() rejected (the very error it rejected with) or did not answer within
    // storeTimeoutMs (the core's StoreTimeoutError). Or complete() answered false, a claim lost
    // before completion, which the outage must never cause: counted apart, expected to be none.
    const completeRejections = new Set<unknown>();
    const completionFailed = new Set<string>();
    const claimsLost: string[] = [];
    // The handler that shuts PostgreSQL down, and the event it ran (see the handler).
    let killDue = false;
    let killedAt = -1;
    let killed: Promise<void> | undefined;
    let killerEvent: string | undefined;
    let answered = 0;
    try {
      const setup = new pg.Client({ connectionString: server.url });
      await setup.connect();
      await setup.query(createTableSql());
      await setup.end();

      // Four instances, two per reconnecting client, each configured to fail fast (see clients.ts).
      for (const kind of [...reconnecting, ...reconnecting]) {
        const opened = await kind.connect(server.url);
        clients.push(opened);
        const tracked = trackClaims(postgresStore({ client: opened.client }), completeRejections);
        const webhooks = createWebhooks({
          secret,
          store: tracked.store,
          leaseMs: 1_500,
          onError(error, context) {
            if (context.phase !== 'complete' || !context.event) return;
            if (error instanceof StoreTimeoutError || completeRejections.has(error)) completionFailed.add(context.event.id);
            else claimsLost.push(`${context.event.id}: ${error instanceof Error ? error.message : String(error)}`);
          },
        }).onAny(async (event) => {
          if (!tracked.holds(KEY_PREFIX + event.id)) runsWithoutClaim.push(event.id);
          runs.set(event.id, (runs.get(event.id) ?? 0) + 1);
          // The first handler to start once a third of the stream is answered shuts PostgreSQL down
          // and returns only when it is down, while other deliveries are in flight. So at least one
          // completion write is cut off by the outage on every run, not only when the timing
          // happens to put one in flight at the kill: the proof below is never vacuous.
          if (killDue && killed === undefined) {
            killedAt = answered;
            killerEvent = event.id;
            killed = server.kill();
            await killed;
          }
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
      const started = Date.now();
      const firstPass = await runLimited(
        stream.map((send) => async (): Promise<DeliveryAnswer> => {
          const answer = await deliver(send.url, send.event, secret);
          if (++answered === Math.floor(stream.length / 3)) killDue = true;
          return answer;
        }),
        8,
      );
      await killed;
      const firstPassMs = Date.now() - started;

      const outcomes = firstPass.map((answer) => `${answer.status} ${answer.outcome ?? '?'}`);
      const unavailable = firstPass.filter((answer) => answer.status === 503);
      expect(killedAt, 'no handler started after a third of the stream was answered: PostgreSQL was never shut down').toBeGreaterThan(0);
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

      // PostgreSQL comes back on the same port and data directory (crash recovery first);
      // everything not acknowledged is resent.
      await server.restart();
      const resend = stream.filter((_, i) => firstPass[i]!.status < 200 || firstPass[i]!.status >= 300);
      await runLimited(
        resend.map((send) => () => deliverUntilAcknowledged(send.url, send.event, secret, { timeoutMs: 45_000 })),
        8,
      );

      expect(runsWithoutClaim).toEqual([]);
      expect(claimsLost, 'complete() answered false: a claim was lost').toEqual([]);
      for (const event of events) expect(runs.get(event.id) ?? 0, `runs of ${event.id}`).toBeGreaterThanOrEqual(1);
      const ranTwice = events.filter((event) => (runs.get(event.id) ?? 0) > 1).map((event) => event.id);
      // The one exception to exactly-once: the handler succeeded, then its completion write failed.
      for (const id of ranTwice) expect(completionFailed, `${id} ran twice`).toContain(id);
      // The cut-off path ran end to end: the killer's completion write failed, so its lease lapsed
      // and the resent copy of its event ran it again.
      expect(completionFailed, 'the completion write of the event whose handler shut PostgreSQL down').toContain(killerEvent);
      expect(ranTwice, 'the event whose handler shut PostgreSQL down').toContain(killerEvent);
      console.info(
        `fault: ${stream.length} deliveries, PostgreSQL shut down after ${killedAt}; ${unavailable.length} answered 503; ` +
          `${resend.length} resent; ${completionFailed.size} completion writes failed; ${ranTwice.length} events ran twice`,
      );
    } finally {
      await Promise.all(servers.map((webhookServer) => webhookServer.close()));
      await Promise.all(clients.map((client) => client.close()));
      await server.stop();
    }
  });
});
