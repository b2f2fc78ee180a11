import { describe, expect, it } from 'vitest';
import type { FakeTogetherApi } from './fake-together-api.js';
import { errors, fakeApi, pendingTimers, receiver, sleep, waitFor, watcher } from './helpers.js';

/** Milliseconds between consecutive requests to `path`. */
const gaps = (api: FakeTogetherApi, path: string): number[] => {
  const times = api.requests.filter((request) => request.path === path).map((request) => request.at);
  return times.slice(1).map((at, index) => at - times[index]!);
};

describe('the Together API failing', () => {
  it('500s are reported, polls back off exponentially up to the cap, and the pace returns after a success', async () => {
    const api = await fakeApi();
    const { deliver, handled } = receiver();
    const seen = errors();
    api.fault({ status: 500, times: 4, path: '/v1/fine-tunes' });
    const watch = watcher(api, { deliver, resources: ['fine_tune'], jitter: 0, maxBackoffMs: 400, onError: seen.onError });
    await watch.start();
    await waitFor(() => api.requestCount('/v1/fine-tunes') >= 7, 'seven polls');
    await watch.stop();
    const [g1, g2, g3, g4, g5, g6] = gaps(api, '/v1/fine-tunes');
    // 50 ms doubled per failure (100, 200, 400), capped at 400, then back to 50 after the success.
    expect(g1).toBeGreaterThanOrEqual(95);
    expect(g2).toBeGreaterThanOrEqual(195);
    expect(g3).toBeGreaterThanOrEqual(395);
    expect(g4).toBeGreaterThanOrEqual(395);
    expect(g4).toBeLessThan(800);
    expect(g5).toBeLessThan(300);
    expect(g6).toBeLessThan(300);
    // Four failed polls, one failure: told once.
    expect(seen.list).toHaveLength(1);
    expect(seen.list.every(([error, context]) => context.phase === 'poll' && context.resource === 'fine_tune' && (error as { status?: number }).status === 500)).toBe(true);
    expect(handled).toHaveLength(0);
  });

  it('a 429 with Retry-After holds the next poll back that long, and stops the rest of that round', async () => {
    const api = await fakeApi();
    const { deliver } = receiver();
    const seen = errors();
    api.fault({ status: 429, retryAfter: '1', path: '/v1/fine-tunes' });
    const watch = watcher(api, { deliver, resources: ['fine_tune', 'batch'], jitter: 0, onError: seen.onError });
    await watch.start();
    // The round that met the 429 asked nothing more.
    expect(api.requestCount('/v1/batches')).toBe(0);
    await waitFor(() => api.requestCount('/v1/fine-tunes') >= 3, 'polling again after the wait', 5_000);
    const [afterLimit, normal] = gaps(api, '/v1/fine-tunes');
    expect(afterLimit).toBeGreaterThanOrEqual(990);
    expect(normal).toBeLessThan(400);
    expect(seen.list).toHaveLength(1);
    expect((seen.list[0]![0] as { status?: number }).status).toBe(429);
  });

  it('429s without Retry-After back off like errors', async () => {
    const api = await fakeApi();
    const { deliver } = receiver();
    api.fault({ status: 429, times: 3, path: '/v1/batches' });
    const watch = watcher(api, { deliver, resources: ['batch'], jitter: 0, onError: () => undefined });
    await watch.start();
    await waitFor(() => api.requestCount('/v1/batches') >= 5, 'five polls');
    const [g1, g2, g3, g4] = gaps(api, '/v1/batches');
    expect(g1).toBeGreaterThanOrEqual(95);
    expect(g2).toBeGreaterThanOrEqual(195);
    expect(g3).toBeGreaterThanOrEqual(395);
    expect(g4).toBeLessThan(300);
  });

  it('a response slower than timeoutMs fails that request, which is reported; other resources are still read', async () => {
    const api = await fakeApi();
    const { deliver, handled } = receiver();
    const seen = errors();
    api.fault({ delayMs: 1_000, path: '/v1/fine-tunes' });
    api.create('batch', { status: 'COMPLETED', completed_at: new Date().toISOString() });
    const watch = watcher(api, { deliver, resources: ['fine_tune', 'batch'], timeoutMs: 200, onError: seen.onError });
    const started = Date.now();
    await watch.start();
    expect(Date.now() - started).toBeLessThan(900);
    expect(seen.list[0]![1]).toMatchObject({ phase: 'poll', resource: 'fine_tune' });
    expect(String(seen.list[0]![0])).toMatch(/timed out/i);
    expect(handled.map((event) => event.type)).toEqual(['batch.completed']);
  });

  it('the client does not retry inside a round by default (the watcher backs off instead)', async () => {
    const api = await fakeApi();
    const { deliver } = receiver();
    api.fault({ status: 503, path: '/v1/batches' });
    const watch = watcher(api, { deliver, resources: ['batch'], intervalMs: 10_000, onError: () => undefined });
    await watch.start();
    expect(api.requestCount('/v1/batches')).toBe(1);
  });
});

describe('stop', () => {
  it('aborts a request in flight, awaits the round, and leaves no timer and no further request', async () => {
    const api = await fakeApi();
    const { deliver } = receiver();
    const seen = errors();
    const before = pendingTimers();
    api.fault({ delayMs: 400, path: '/v1/batches' });
    const watch = watcher(api, { deliver, resources: ['batch'], onError: seen.onError });
    const first = watch.start();
    await sleep(100);
    const stopping = Date.now();
    await watch.stop();
    expect(Date.now() - stopping).toBeLessThan(200);
    await first;
    expect(watch.running).toBe(false);
    // The fake's own delayed answer fires, then nothing of the watcher's is left.
    await sleep(500);
    expect(pendingTimers()).toBeLessThanOrEqual(before);
    const requests = api.requestCount();
    await sleep(200);
    expect(api.requestCount()).toBe(requests);
    // An abort on stop is not an error.
    expect(seen.list).toHaveLength(0);
  });

  it('start() while a stop is in flight starts again once the stop is done', async () => {
    const api = await fakeApi();
    const { deliver } = receiver();
    const watch = watcher(api, { deliver, resources: ['batch'], intervalMs: 60_000 });
    await watch.start();
    const stopping = watch.stop();
    const restarting = watch.start();
    await stopping;
    await restarting;
    expect(watch.running).toBe(true);
    expect(api.requestCount('/v1/batches')).toBe(2);
  });

  it('stop between rounds clears the timer at once; start again resumes', async () => {
    const api = await fakeApi();
    const { deliver, handled } = receiver();
    const watch = watcher(api, { deliver, resources: ['batch'], intervalMs: 60_000 });
    const before = pendingTimers();
    await watch.start();
    expect(pendingTimers()).toBe(before + 1);
    await watch.stop();
    expect(pendingTimers()).toBe(before);
    api.create('batch', { id: 'b-new' });
    await watch.start();
    expect(handled.map((event) => event.id)).toEqual(['batch:b-new:VALIDATING']);
    await Promise.all([watch.stop(), watch.stop()]);
    expect(watch.running).toBe(false);
  });
});

describe('a lasting failure is told once (the default error log: one line, no stack)', () => {
  /** Console lines of a watcher over `api` until it has listed fine-tunes `requests` times. */
  async function linesOf(api: FakeTogetherApi, requests: number): Promise<string[]> {
    const { deliver } = receiver();
    const lines: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
    try {
      const watch = watcher(api, { deliver, resources: ['fine_tune'], jitter: 0, maxBackoffMs: 100 });
      await watch.start();
      await waitFor(() => api.requestCount('/v1/fine-tunes') >= requests, `${requests} polls`);
      await watch.stop();
    } finally {
      console.error = original;
    }
    for (const line of lines) expect(line).not.toMatch(/\n|\bat .+:\d+:\d+/);
    return lines;
  }

  it.each([401, 403])('%i on three polls is one line; after a poll that succeeds, its return is one more', async (status) => {
    const api = await fakeApi();
    api.fault({ status, times: 3, path: '/v1/fine-tunes' });
    // A fault with no status only delays: one answer that succeeds.
    api.fault({ delayMs: 1, path: '/v1/fine-tunes' });
    api.fault({ status, times: 2, path: '/v1/fine-tunes' });
    const lines = await linesOf(api, 7);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(new RegExp(`^\\[together-webhooks-watch\\] poll error: \\w+: ${status}\\b`));
  });

  it('a failure that changes kind is told again', async () => {
    const api = await fakeApi();
    api.fault({ status: 500, times: 2, path: '/v1/fine-tunes' });
    api.fault({ body: '<!doctype html><h1>Bad gateway</h1>', contentType: 'text/html', times: 2, path: '/v1/fine-tunes' });
    const lines = await linesOf(api, 5);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/poll error: \w+: 500\b/);
    expect(lines[1]).toMatch(/poll error: TogetherResponseError: GET \/fine-tunes answered an HTML page/);
  });
});
