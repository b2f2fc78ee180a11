import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { redisServerAvailable, startRedis, type RedisServer } from '@x/together-webhooks-test-support/redis-server';
import { startFakeTogetherApi, type FakeTogetherApi } from '@x/together-webhooks-watch/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const CRON_SECRET = 'cron-secret-for-tests-7Qm2';
const ROUTE = '/api/cron/together';

describe.skipIf(!redisServerAvailable)('the Vercel Cron route', () => {
  let redis: RedisServer;
  let api: FakeTogetherApi;
  let GET: (request: Request) => Promise<Response>;
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);

  beforeAll(async () => {
    redis = await startRedis();
    api = await startFakeTogetherApi();
    // What Vercel's project settings would hold.
    vi.stubEnv('REDIS_URL', redis.url);
    vi.stubEnv('TOGETHER_API_KEY', api.apiKey);
    vi.stubEnv('TOGETHER_BASE_URL', api.baseURL);
    vi.stubEnv('CRON_SECRET', CRON_SECRET);
    ({ GET } = (await import('../app/api/cron/together/route.js')) as { GET: typeof GET });
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    log.mockRestore();
    await api?.close();
    await redis?.stop();
  });

  const call = (authorization?: string) =>
    GET(new Request(`https://app.example.com${ROUTE}`, { headers: authorization === undefined ? {} : { authorization } }));

  it.each([
    ['no Authorization', undefined],
    ['another secret', 'Bearer not-the-cron-secret'],
    ['the secret without Bearer', CRON_SECRET],
    ['a longer value', `Bearer ${CRON_SECRET}x`],
  ])('%s is 401, and Together is not polled', async (_case, authorization) => {
    const before = api.requestCount();
    const response = await call(authorization);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'unauthorized' });
    expect(api.requestCount()).toBe(before);
  });

  it('a call from Vercel Cron polls once and runs the handlers; the next call announces only what changed', async () => {
    const id = `batch-${Date.now()}`;
    api.create('batch', { id });
    const first = await call(`Bearer ${CRON_SECRET}`);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ announced: 1, delivered: 1, pending: 0, failed: false, stateWritten: true });
    const quiet = await call(`Bearer ${CRON_SECRET}`);
    expect(await quiet.json()).toMatchObject({ requests: 5, announced: 0, stateWritten: false });
    api.set('batch', id, 'COMPLETED');
    const changed = await call(`Bearer ${CRON_SECRET}`);
    expect(await changed.json()).toMatchObject({ announced: 1, delivered: 1 });
    expect(log.mock.calls.map(([line]) => String(line))).toContain(`batch ${id} done: output file file-fake-output-${id}`);
  });

  it('without CRON_SECRET configured every call is refused (500), never let in', async () => {
    vi.stubEnv('CRON_SECRET', '');
    try {
      const response = await call('Bearer ');
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: 'CRON_SECRET is not set' });
    } finally {
      vi.stubEnv('CRON_SECRET', CRON_SECRET);
    }
  });

  it('vercel.json schedules the route, and the route exists', () => {
    const config = JSON.parse(readFileSync(fileURLToPath(new URL('../vercel.json', import.meta.url)), 'utf8')) as { crons: { path: string; schedule: string }[] };
    expect(config.crons).toEqual([{ path: ROUTE, schedule: expect.stringMatching(/^\S+ \S+ \S+ \S+ \S+$/) as unknown }]);
    expect(existsSync(fileURLToPath(new URL(`../app${ROUTE}/route.ts`, import.meta.url)))).toBe(true);
  });
});
