import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createWebhooks } from '@x/together-webhooks-core';
import { deliver, deliverUntilAcknowledged, runLimited, testEvent, type DeliveryAnswer } from '../../redis/test/support/deliveries.js';
import { serveWebhooks } from '../../redis/test/support/webhook-server.js';
import { createTableSql, postgresStore } from '../src/index.js';
import { createTestSchema, skipWithoutPostgres, type TestSchema } from './postgres-server.js';

const secret = 'whsec_pool_exhaustion';
const LEASE_MS = 1_500;
const STORE_TIMEOUT_MS = 300;
const BUSY_MS = 3_000;

// What exhausts a pool in a real app is the app's other work on the same pool: here two slow
// report queries hold both connections of a pool of 2 while 50 deliveries arrive. The store's
// statements wait in the pool's queue behind them: storeTimeoutMs is what bounds each answer.
describe.skipIf(skipWithoutPostgres)('a pg Pool exhausted by other queries', () => {
  let schema: TestSchema;
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    schema = await createTestSchema('exhaustion');
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await schema?.drop();
  });

  /** A receiver over a pg Pool of 2 on a table of its own; counts handler runs and reported phases. */
  async function receiver(table: string, poolOptions: pg.PoolConfig = {}) {
    await schema.query(createTableSql(schema.table(table)));
    const pool = new pg.Pool({ connectionString: schema.url, max: 2, ...poolOptions });
    pool.on('error', () => undefined);
    const runs = new Map<string, number>();
    const phases = new Set<string>();
    const webhooks = createWebhooks({
      secret,
      store: postgresStore({ client: pool, table: schema.table(table) }),
      leaseMs: LEASE_MS,
      storeTimeoutMs: STORE_TIMEOUT_MS,
      onError: (_error, context) => phases.add(context.phase),
    }).onAny((event) => {
      runs.set(event.id, (runs.get(event.id) ?? 0) + 1);
    });
    const server = await serveWebhooks(webhooks);
    closers.push(() => pool.end(), () => server.close());
    const liveClaims = async () =>
      (
        await schema.query<{ claimed: number }>(
          `SELECT count(*)::int AS claimed FROM "${schema.name}"."${table}" WHERE state = 'claimed' AND expires_at > clock_timestamp()`,
        )
      )[0]!.claimed;
    return { pool, server, runs, phases, liveClaims };
  }

  /** Holds both connections with slow queries, and sends 50 deliveries meanwhile: all must answer 503 within the bound. */
  async function deliverWhileBusy({ pool, server, runs, phases }: Awaited<ReturnType<typeof receiver>>, label: string) {
    const events = Array.from({ length: 50 }, (_, i) => testEvent(`evt_${label}_${Date.now()}_${i}`));
    // Warm the pool: both connections open, so only the reports make the claims wait.
    await Promise.all([pool.query('SELECT 1'), pool.query('SELECT 1')]);
    const reports = Promise.all([1, 2].map(() => pool.query('SELECT pg_sleep($1::float8 / 1000)', [BUSY_MS])));
    const busySince = Date.now();
    const timed = await Promise.all(
      events.map(async (event): Promise<DeliveryAnswer & { ms: number }> => {
        const sent = Date.now();
        const answer = await deliver(server.url, event, secret);
        return { ...answer, ms: Date.now() - sent };
      }),
    );
    expect(Date.now() - busySince).toBeLessThan(BUSY_MS);
    for (const answer of timed) {
      expect(answer).toMatchObject({ status: 503, outcome: 'store_unavailable' });
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
      // The bound, with room for 50 concurrent HTTP requests on a busy 2-core machine.
      expect(answer.ms).toBeLessThan(STORE_TIMEOUT_MS + 1_000);
    }
    expect(runs.size).toBe(0);
    expect(phases).toEqual(new Set(['claim']));
    return { events, waiting: pool.waitingCount, reports };
  }

  async function retryUntilProcessed({ server, runs }: Awaited<ReturnType<typeof receiver>>, events: ReturnType<typeof testEvent>[]) {
    const answers = (
      await runLimited(
        events.map((event) => () => deliverUntilAcknowledged(server.url, event, secret, { intervalMs: 100, timeoutMs: 30_000 })),
        10,
      )
    ).flat();
    // A retry may still find the pool busy with the claims queued during the reports (on a loaded
    // machine one can take longer than storeTimeoutMs): that is the bounded 503 again, never a hang.
    for (const answer of answers) {
      expect(['200 processed', '409 in_progress', '503 store_unavailable']).toContain(`${answer.status} ${answer.outcome ?? '?'}`);
    }
    for (const event of events) expect(runs.get(event.id), `runs of ${event.id}`).toBe(1);
    // Redelivered once more, an event is a duplicate.
    for (const event of events.slice(0, 5)) expect(await deliver(server.url, event, secret)).toMatchObject({ status: 200, outcome: 'duplicate' });
    return answers;
  }

  it('answers every delivery within storeTimeoutMs (503 with Retry-After), then processes every event once when the pool frees up', async () => {
    // No connectionTimeoutMillis: a claim would wait in the pool's queue for as long as the reports run.
    const instance = await receiver('events_unbounded');
    const { events, waiting, reports } = await deliverWhileBusy(instance, 'unbounded');
    // Every claim timed out in the pipeline, and is still in the pool's queue.
    expect(waiting).toBe(events.length);

    // The reports end; the queued claims then run, late, and each takes its key for one lease
    // with a token nobody holds: the retries wait that lease out (409), then process the event.
    await reports;
    await expect.poll(() => instance.pool.waitingCount).toBe(0);
    expect(await instance.liveClaims()).toBe(events.length);
    const answers = await retryUntilProcessed(instance, events);
    expect(answers.filter((answer) => answer.status === 409).length).toBeGreaterThan(0);
  });

  it('with a connectionTimeoutMillis under storeTimeoutMs, the claims give up in the queue: no late claims, no 409s', async () => {
    const instance = await receiver('events_bounded', { connectionTimeoutMillis: STORE_TIMEOUT_MS / 2 });
    const { events, waiting, reports } = await deliverWhileBusy(instance, 'bounded');
    expect(waiting).toBe(0);
    await reports;
    expect(await instance.liveClaims()).toBe(0);
    const answers = await retryUntilProcessed(instance, events);
    expect(answers.filter((answer) => answer.status === 409)).toEqual([]);
  });
});
