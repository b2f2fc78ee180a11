/**
 * What is Koa's own, on Koa 3 and 2: the body parsers before and after the route, a parser that
 * kept nothing raw, exact bytes, the stores' answers and onResult. The delivery cases are in
 * delivery-cases.test.ts.
 */
import { createServer, type Server } from 'node:http';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { koaBody } from 'koa-body';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createWebhooks,
  memoryStore,
  sign,
  type IdempotencyStore,
  type WebhookErrorContext,
  type WebhooksOptions,
} from '@x/together-webhooks-core';
import { TEST_SECRET, busyStore, close, listen, post, signedDelivery, unreachableStore } from '@x/together-webhooks-test-support';
import { togetherWebhooks, type TogetherWebhooksOptions } from '../src/index.js';

type Setup = 'none' | 'bodyparser-first' | 'koa-body-first' | 'koa-body-unparsed-first' | 'bodyparser-after';

const majors: [string, typeof Koa3][] = [
  ['Koa 3', Koa3],
  ['Koa 2', Koa2],
];

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(close));
});

describe.each(majors)('%s', (_name, Koa) => {
  async function start(options: Partial<WebhooksOptions> & { setup?: Setup; middleware?: TogetherWebhooksOptions } = {}) {
    const runs: string[] = [];
    const errors: { error: unknown; context: WebhookErrorContext }[] = [];
    const { setup = 'none', middleware, ...webhookOptions } = options;
    const webhooks = createWebhooks({
      secret: TEST_SECRET,
      store: memoryStore(),
      onError: (error, context) => errors.push({ error, context }),
      ...webhookOptions,
    });
    webhooks.on('fine_tune.completed', (event) => {
      runs.push(event.data.id);
    });
    const app = new Koa();
    if (setup === 'bodyparser-first') app.use(bodyParser());
    if (setup === 'koa-body-first') app.use(koaBody());
    if (setup === 'koa-body-unparsed-first') app.use(koaBody({ includeUnparsed: true }));
    const router = new Router();
    router.post('/webhooks', togetherWebhooks(webhooks, middleware));
    app.use(router.routes());
    if (setup === 'bodyparser-after') app.use(bodyParser());
    const callback = app.callback();
    const server = createServer((req, res) => {
      void callback(req, res);
    });
    servers.push(server);
    return { url: `${await listen(server)}/webhooks`, runs, errors };
  }

  it.each<[Setup]>([['bodyparser-first'], ['koa-body-unparsed-first'], ['bodyparser-after']])(
    'verifies the raw body when the parser order allows it (%s)',
    async (setup) => {
      const { url, runs } = await start({ setup });
      const delivery = signedDelivery();
      const answer = await post(url, delivery.body, delivery.headers);
      expect(answer.body).toEqual({ ok: true, outcome: 'processed', id: delivery.id });
      expect(runs).toHaveLength(1);
    },
  );

  it('answers 500 and names the fix when a parser consumed the body and kept nothing raw', async () => {
    const { url, runs, errors } = await start({ setup: 'koa-body-first' });
    const delivery = signedDelivery();
    const answer = await post(url, delivery.body, delivery.headers);
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ ok: false, outcome: 'failed' });
    expect(runs).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.context).toEqual({ phase: 'adapter', outcome: 'failed' });
    const message = (errors[0]!.error as Error).message;
    expect(message).toContain('Register the webhook route before the body parser');
    expect(message).toContain('ctx.request.rawBody');
    expect(message).toContain('includeUnparsed: true');
  });

  it('verifies the exact bytes read from the stream: a signed non-UTF-8 body is authentic (400)', async () => {
    const { url } = await start();
    const bytes = new Uint8Array([0x7b, 0xff, 0xfe, 0x80, 0x7d]);
    const answer = await post(url, bytes, { 'content-type': 'application/octet-stream', ...sign(bytes, { secret: TEST_SECRET }) });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ outcome: 'rejected', error: 'invalid_payload' });
  });

  it.each<[string, () => IdempotencyStore, number, string, string]>([
    ['another delivery holds the claim', () => busyStore(2_500), 409, 'in_progress', '3'],
    ['the store is unreachable', unreachableStore, 503, 'store_unavailable', '5'],
  ])('answers with retry-after when %s', async (_case, store, status, outcome, retryAfter) => {
    const { url, runs } = await start({ store: store() });
    const delivery = signedDelivery();
    const answer = await post(url, delivery.body, delivery.headers);
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ ok: false, outcome, id: delivery.id });
    expect(answer.headers.get('retry-after')).toBe(retryAfter);
    expect(runs).toEqual([]);
  });

  it('calls onResult before the answer is set', async () => {
    const onResult = vi.fn<NonNullable<TogetherWebhooksOptions['onResult']>>((result, ctx) => {
      ctx.set({ 'x-outcome': result.outcome });
    });
    const { url } = await start({ middleware: { onResult } });
    const delivery = signedDelivery();
    const answer = await post(url, delivery.body, delivery.headers);
    expect(answer.headers.get('x-outcome')).toBe('processed');
    expect(onResult).toHaveBeenCalledOnce();
  });
});
