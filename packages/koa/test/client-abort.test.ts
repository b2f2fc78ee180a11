import { createServer, type Server } from 'node:http';
import Router from '@koa/router';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWebhooks, memoryStore, type WebhookErrorContext } from '@x/together-webhooks-core';
import { TEST_SECRET, close, listen, post, sendHalfThenVanish, signedDelivery } from '@x/together-webhooks-test-support';
import { togetherWebhooks } from '../src/index.js';

const servers: Server[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map(close));
});

describe.each([
  ['Koa 3', Koa3],
  ['Koa 2', Koa2],
])('%s: a client that goes away mid-body', (_name, Koa) => {
  it('is reported once through onError (phase adapter), is not thrown to Koa, and the server keeps serving', async () => {
    const errors: { error: unknown; context: WebhookErrorContext }[] = [];
    const webhooks = createWebhooks({ secret: TEST_SECRET, store: memoryStore(), onError: (error, context) => errors.push({ error, context }) });
    webhooks.on('fine_tune.completed', () => undefined);
    const app = new Koa();
    const appErrors: unknown[] = [];
    app.on('error', (error: unknown) => appErrors.push(error));
    let arrive = (): void => undefined;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    app.use(async (_ctx, next) => {
      arrive();
      await next();
    });
    const router = new Router();
    router.post('/webhooks', togetherWebhooks(webhooks));
    app.use(router.routes());
    const callback = app.callback();
    const server = createServer((req, res) => {
      void callback(req, res);
    });
    servers.push(server);
    const url = `${await listen(server)}/webhooks`;
    const consoleError = vi.spyOn(console, 'error');

    await sendHalfThenVanish(url, arrived);
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]!.context).toEqual({ phase: 'adapter', outcome: 'failed' });
    expect(errors[0]!.error).toMatchObject({ name: 'ClientAbortedError' });

    const delivery = signedDelivery();
    const answer = await post(url, delivery.body, delivery.headers);
    expect(answer.body).toEqual({ ok: true, outcome: 'processed', id: delivery.id });
    expect(errors).toHaveLength(1);
    // Koa's own on-finished hook still reports the broken socket, as on any route; nothing of ours.
    expect(appErrors.every((error) => ['HPE_INVALID_EOF_STATE', 'ECONNRESET'].includes((error as { code?: string }).code ?? ''))).toBe(true);
    expect(consoleError).not.toHaveBeenCalled();
  });
});
