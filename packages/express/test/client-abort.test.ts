import { createServer, type Server } from 'node:http';
import express5 from 'express';
import express4 from 'express4';
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
  ['Express 5', express5],
  ['Express 4', express4],
])('%s: a client that goes away mid-body', (_name, express) => {
  it('is reported once through onError (phase adapter), prints nothing, and the server keeps serving', async () => {
    const errors: { error: unknown; context: WebhookErrorContext }[] = [];
    const webhooks = createWebhooks({ secret: TEST_SECRET, store: memoryStore(), onError: (error, context) => errors.push({ error, context }) });
    webhooks.on('fine_tune.completed', () => undefined);
    const app = express();
    // Express's final handler prints an error's stack unless env is 'test', which vitest sets.
    app.set('env', 'development');
    let arrive = (): void => undefined;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    app.use((_req, _res, next) => {
      arrive();
      next();
    });
    app.post('/webhooks', togetherWebhooks(webhooks));
    const server = createServer(app);
    servers.push(server);
    const url = `${await listen(server)}/webhooks`;
    const consoleError = vi.spyOn(console, 'error');
    const stderr = vi.spyOn(process.stderr, 'write');

    await sendHalfThenVanish(url, arrived);
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]!.context).toEqual({ phase: 'adapter', outcome: 'failed' });
    expect(errors[0]!.error).toMatchObject({ name: 'ClientAbortedError' });

    const delivery = signedDelivery();
    const answer = await post(url, delivery.body, delivery.headers);
    expect(answer.body).toEqual({ ok: true, outcome: 'processed', id: delivery.id });
    expect(errors).toHaveLength(1);
    expect(consoleError).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
  });
});
