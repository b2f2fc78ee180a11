/**
 * The handler on h3 1 (Nuxt 3, Nitro 2) and h3 2 over real HTTP, and through each major's Fetch
 * entry (what Bun, Deno, workers and Nitro's edge presets run): where the bytes come from, the
 * limit, a body another handler read first, and the hooks.
 */
import { createServer } from 'node:http';
import { H3 } from 'h3';
import { createApp, createRouter, defineEventHandler, fromNodeMiddleware, toNodeListener, toWebHandler, type App } from 'h3-v1';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWebhooks, memoryStore, type WebhookErrorContext } from '@x/together-webhooks-core';
import { TEST_SECRET, close, listen, makeEvent, post, sendHalfThenVanish, sendRequest, signedDelivery } from '@x/together-webhooks-test-support';
import { togetherWebhooks } from '../src/index.js';
import { MAJORS, serveH3, serveH3V2Native, type Major, type Route, type Served } from './servers.js';

const servers: Served[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((served) => served.close()));
});

function receiver(options: { maxBodyBytes?: number } = {}) {
  const errors: { error: unknown; context: WebhookErrorContext }[] = [];
  const runs: string[] = [];
  const webhooks = createWebhooks({ secret: TEST_SECRET, store: memoryStore(), ...options, onError: (error, context) => errors.push({ error, context }) });
  webhooks.on('fine_tune.completed', (event) => {
    runs.push(event.id);
  });
  return { webhooks, errors, runs };
}

async function serve(major: Major, routes: Route[]): Promise<string> {
  const served = await serveH3(major, routes);
  servers.push(served);
  return served.url;
}

// An h3 1 app built by the test itself, through node:http.
async function serveV1App(app: App): Promise<string> {
  const server = createServer(toNodeListener(app));
  const url = await listen(server);
  servers.push({ url, close: () => close(server) });
  return url;
}

describe.each(MAJORS)('%s', (major) => {
  it('answers 200 processed, then duplicate, running the handler once; the answer is JSON', async () => {
    const { webhooks, runs } = receiver();
    const url = await serve(major, [{ path: '/webhooks/together', webhooks }]);
    const delivery = signedDelivery();
    const first = await post(`${url}/webhooks/together`, delivery.body, delivery.headers);
    const again = await post(`${url}/webhooks/together`, delivery.body, delivery.headers);
    expect([first.status, first.body]).toEqual([200, { ok: true, outcome: 'processed', id: delivery.id }]);
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect([again.status, again.body]).toEqual([200, { ok: true, outcome: 'duplicate', id: delivery.id }]);
    expect(runs).toEqual([delivery.id]);
  });

  it('maxBodyBytes is the limit: 413 from content-length before the body is sent, with Connection: close', async () => {
    const { webhooks } = receiver({ maxBodyBytes: 8 * 1024 });
    const url = await serve(major, [{ path: '/webhooks/together', webhooks }]);
    const delivery = signedDelivery({ event: makeEvent({ padTo: 64 * 1024 }) });
    const answer = await sendRequest(`${url}/webhooks/together`, { ...delivery, sendOnly: 1024 });
    expect([answer.status, answer.body.error, answer.headers.connection]).toEqual([413, 'payload_too_large', 'close']);
    expect(answer.written).toBe(1024);
  });

  it('onResult sees each result before it is written', async () => {
    const { webhooks } = receiver();
    const seen: string[] = [];
    const url = await serve(major, [{ path: '/webhooks/together', webhooks, options: { onResult: (result) => seen.push(result.outcome) } }]);
    const delivery = signedDelivery();
    await post(`${url}/webhooks/together`, delivery.body, delivery.headers);
    expect(seen).toEqual(['processed']);
  });
});

describe('a body read before the handler', () => {
  it("h3 1: readBody(event) first keeps the raw bytes in h3's cache, so the delivery verifies", async () => {
    const { webhooks, runs } = receiver();
    const url = await serve('h3 1', [{ path: '/webhooks/together', webhooks, readBodyFirst: true }]);
    const delivery = signedDelivery();
    expect((await post(`${url}/webhooks/together`, delivery.body, delivery.headers)).body).toEqual({ ok: true, outcome: 'processed', id: delivery.id });
    expect(runs).toEqual([delivery.id]);
  });

  it('h3 2: readBody(event) first consumed the body: 500 failed, and onError says how to fix the route', async () => {
    const { webhooks, errors, runs } = receiver();
    const url = await serve('h3 2', [{ path: '/webhooks/together', webhooks, readBodyFirst: true }]);
    const delivery = signedDelivery();
    const answer = await post(`${url}/webhooks/together`, delivery.body, delivery.headers);
    expect([answer.status, answer.body]).toEqual([500, { ok: false, outcome: 'failed' }]);
    expect(runs).toEqual([]);
    expect(errors.map(({ context }) => context.phase)).toEqual(['adapter']);
    expect(String(errors[0]!.error)).toMatch(/h3 2 reads a body once.*event\.req\.clone\(\)/);
  });

  // Node middleware in an h3 1 app (fromNodeMiddleware), as Nuxt apps mount connect-style parsers.
  const nodeMiddleware = [
    {
      name: 'a parser that left an object on req.body',
      middleware: (req: { body?: unknown }, _res: unknown, next: () => void) => {
        req.body = { parsed: true };
        next();
      },
      fix: /parsed body \(an object, not the bytes\).*re-serialise/,
    },
    {
      name: 'a parser that read the stream and kept nothing',
      middleware: (req: NodeJS.ReadableStream, _res: unknown, next: () => void) => {
        req.on('end', next);
        req.resume();
      },
      fix: /Node request stream was already read/,
    },
  ];
  it.each(nodeMiddleware)('h3 1, $name: 500 failed, onError names the fix', async ({ middleware, fix }) => {
    const { webhooks, errors } = receiver();
    const app = createApp();
    app.use(fromNodeMiddleware(middleware as Parameters<typeof fromNodeMiddleware>[0]));
    app.use(createRouter().post('/webhooks/together', togetherWebhooks(webhooks)));
    const url = await serveV1App(app);
    const delivery = signedDelivery();
    const answer = await post(`${url}/webhooks/together`, delivery.body, delivery.headers);
    expect([answer.status, answer.body]).toEqual([500, { ok: false, outcome: 'failed' }]);
    expect(String(errors[0]!.error)).toMatch(fix);
  });
});

describe('Fetch entries (Bun, Deno, workers, Nitro edge presets)', () => {
  it("h3 1's toWebHandler: a Request in, the answer out", async () => {
    const { webhooks } = receiver();
    const app = createApp().use(createRouter().post('/webhooks/together', togetherWebhooks(webhooks)));
    const handle = toWebHandler(app);
    const delivery = signedDelivery();
    const response = await handle(new Request('http://127.0.0.1/webhooks/together', { method: 'POST', body: delivery.body, headers: delivery.headers }));
    expect([response.status, await response.json()]).toEqual([200, { ok: true, outcome: 'processed', id: delivery.id }]);
  });

  it("h3 2's app.fetch: a Request in, the answer out; an oversized one is refused", async () => {
    const { webhooks } = receiver({ maxBodyBytes: 8 * 1024 });
    const app = new H3().post('/webhooks/together', togetherWebhooks(webhooks));
    const delivery = signedDelivery();
    const response = await app.fetch(new Request('http://127.0.0.1/webhooks/together', { method: 'POST', body: delivery.body, headers: delivery.headers }));
    expect([response.status, await response.json()]).toEqual([200, { ok: true, outcome: 'processed', id: delivery.id }]);
    const big = signedDelivery({ event: makeEvent({ padTo: 16 * 1024 }) });
    const refused = await app.fetch(new Request('http://127.0.0.1/webhooks/together', { method: 'POST', body: big.body, headers: big.headers }));
    expect([refused.status, ((await refused.json()) as { error: string }).error]).toEqual([413, 'payload_too_large']);
  });

  it("h3 2's own serve (srvx on Node) answers over HTTP", async () => {
    const { webhooks } = receiver();
    const served = await serveH3V2Native([{ path: '/webhooks/together', webhooks }]);
    servers.push(served);
    const delivery = signedDelivery();
    expect((await post(`${served.url}/webhooks/together`, delivery.body, delivery.headers)).body).toEqual({ ok: true, outcome: 'processed', id: delivery.id });
  });
});

it('h3 1: registering the handler prints no implicit-conversion warning (it is marked as an event handler)', () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const { webhooks } = receiver();
  createApp().use(createRouter().post('/webhooks/together', togetherWebhooks(webhooks)));
  createApp().use('/webhooks/together', togetherWebhooks(webhooks));
  expect(warn).not.toHaveBeenCalled();
  expect(defineEventHandler(togetherWebhooks(webhooks)).__is_handler__).toBe(true);
});

it('h3 1: a client that goes away mid-body is reported, and nothing is written', async () => {
  const { webhooks, errors } = receiver();
  let arrived!: () => void;
  const held = new Promise<void>((resolve) => (arrived = resolve));
  const handler = togetherWebhooks(webhooks);
  const app = createApp().use(createRouter().post('/webhooks/together', defineEventHandler((event) => {
    arrived();
    return handler(event);
  })));
  const url = await serveV1App(app);
  await sendHalfThenVanish(`${url}/webhooks/together`, held);
  await vi.waitFor(() => expect(errors.map(({ error }) => (error as Error).name)).toEqual(['ClientAbortedError']));
  expect(errors[0]!.context).toMatchObject({ phase: 'adapter', outcome: 'failed' });
});
