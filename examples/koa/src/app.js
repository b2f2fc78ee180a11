/**
 * A Koa app that receives Together AI webhooks: the adapter on one @koa/router route, the memory
 * store for deduplication, a typed `fine_tune.completed` handler and a logger for every event.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';
import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
import { togetherWebhooks } from '@x/together-webhooks-koa';

/** DEV ONLY: the secret used when TOGETHER_WEBHOOK_SECRET is unset. Never use it in production. */
export const DEV_SECRET = 'whsec_dev_only_do_not_use_in_production';

/** The path Together delivers to. */
export const WEBHOOK_PATH = '/webhooks/together';

/**
 * Builds the app.
 *
 * @param {{ secret?: string, store?: import('@x/together-webhooks-core').IdempotencyStore, log?: (line: string) => void }} [options]
 */
export function createApp(options = {}) {
  const { secret = DEV_SECRET, store = memoryStore(), log = console.log } = options;
  const webhooks = createWebhooks({
    secret,
    store,
    onError: (error, { phase, event }) => log(`webhook error in ${phase}${event ? ` (${event.id})` : ''}: ${String(error)}`),
  });

  webhooks.on('fine_tune.completed', (event) => {
    log(`fine-tune ${event.data.id} completed: ${event.data.model_output_name ?? 'no output model'}`);
  });
  webhooks.onAny((event) => {
    log(`received ${event.type} ${event.id}`);
  });

  const router = new Router();
  router.post(WEBHOOK_PATH, togetherWebhooks(webhooks));
  router.get('/health', (ctx) => {
    ctx.body = { ok: true };
  });
  // A body parser for the rest of the app would go after router.routes(), or be one that keeps
  // ctx.request.rawBody (@koa/bodyparser does).
  const app = new Koa();
  app.use(router.routes()).use(router.allowedMethods());
  return { app, webhooks };
}

/**
 * Starts the app on 127.0.0.1.
 *
 * @param {{ port?: number } & Parameters<typeof createApp>[0]} [options] - port 0 picks a free one
 */
export async function start(options = {}) {
  const { port = 0, ...appOptions } = options;
  const { app, webhooks } = createApp(appOptions);
  const server = createServer(app.callback());
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const url = `http://127.0.0.1:${address.port}${WEBHOOK_PATH}`;
  const close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    });
  return { server, webhooks, url, close };
}
