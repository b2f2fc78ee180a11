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
import { TEST_SECRET, busyStore, close, listen, post, postUnfinished, signedDelivery, unreachableStore } from '@x/together-webhooks-node-http/testing';
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

  it('processes a valid delivery, then answers the same event as a duplicate', async () => {
    const { url, runs } = await start();
    const delivery = signedDelivery();
    const first = await post(url, delivery.body, delivery.headers);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ ok: true, outcome: 'processed', id: delivery.id });
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const again = await post(url, delivery.body, delivery.headers);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ok: true, outcome: 'duplicate', id: delivery.id });
    expect(runs).toHaveLength(1);
  });

  it.each<[string, (d: ReturnType<typeof signedDelivery>) => [string, Record<string, string>], string]>([
    ['a tampered body', (d) => [d.body.replace('"completed"', '"cancelled"'), d.headers], 'signature_mismatch'],
    [
      'a stale timestamp',
      () => {
        const stale = signedDelivery({ timestamp: Math.floor(Date.now() / 1000) - 3600 });
        return [stale.body, stale.headers];
      },
      'timestamp_too_old',
    ],
    ['no signature header', (d) => [d.body, { 'x-together-timestamp': d.headers['x-together-timestamp']! }], 'missing_signature'],
    ['no timestamp header', (d) => [d.body, { 'x-together-signature': d.headers['x-together-signature']! }], 'missing_timestamp'],
  ])('rejects %s with 401', async (_case, change, code) => {
    const { url, runs } = await start();
    const [body, headers] = change(signedDelivery());
    const answer = await post(url, body, headers);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ ok: false, outcome: 'rejected', error: code });
    expect(runs).toEqual([]);
  });

  it('answers 413 from content-length alone, without waiting for the body', async () => {
    const { url } = await start({ maxBodyBytes: 4096 });
    const answer = await postUnfinished(url, signedDelivery().headers, [new Uint8Array(1024)], 10 * 1024 * 1024);
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ ok: false, outcome: 'rejected', error: 'payload_too_large' });
    expect(answer.headers.connection).toBe('close');
  });

  it('answers 413 once a chunked body passes the limit, leaving the rest unread', async () => {
    const { url } = await start({ maxBodyBytes: 4096 });
    const chunks = Array.from({ length: 8 }, () => new Uint8Array(1024).fill(32));
    const answer = await postUnfinished(url, signedDelivery().headers, chunks);
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ error: 'payload_too_large' });
  });

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
