/**
 * What is Fastify's own, on Fastify 5 and 4: parsers scoped to the plugin's route, a prefix, the
 * bodyLimit answer and a flood, the app's hooks and error handler, onResult, a client that goes
 * away, and registration mistakes. The delivery cases are in delivery-cases.test.ts.
 */
import type { Socket } from 'node:net';
import Fastify5, { type FastifyInstance } from 'fastify';
import Fastify4 from 'fastify4';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWebhooks, memoryStore, type WebhookErrorContext, type WebhooksOptions } from '@x/together-webhooks-core';
import { TEST_SECRET, makeEvent, post, sendHalfThenVanish, sendRequest, signedDelivery, unreachableStore } from '@x/together-webhooks-test-support';
import { togetherWebhooks, type TogetherWebhooksOptions } from '../src/index.js';

type Fastify = typeof Fastify5;

const majors: [string, Fastify][] = [
  ['Fastify 5', Fastify5],
  ['Fastify 4', Fastify4],
];

async function serve(app: FastifyInstance): Promise<string> {
  return app.listen({ port: 0, host: '127.0.0.1' });
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

describe.each(majors)('%s', (_name, Fastify) => {
  function receiver(options: Partial<WebhooksOptions> = {}) {
    const runs: string[] = [];
    const errors: { error: unknown; context: WebhookErrorContext }[] = [];
    const webhooks = createWebhooks({
      secret: TEST_SECRET,
      store: memoryStore(),
      onError: (error, context) => errors.push({ error, context }),
      ...options,
    });
    webhooks.on('fine_tune.completed', (event) => {
      runs.push(event.id);
    });
    return { webhooks, runs, errors };
  }

  function app(): FastifyInstance {
    const instance = Fastify();
    apps.push(instance);
    return instance;
  }

  it("keeps Fastify's JSON parsing on the app's other routes, registered before and after the plugin", async () => {
    const { webhooks } = receiver();
    const fastify = app();
    fastify.post('/before', (request) => ({ parsed: request.body }));
    await fastify.register(togetherWebhooks, { webhooks, path: '/webhooks/together' });
    fastify.post('/after', (request) => ({ parsed: request.body }));
    fastify.register(async (child) => {
      child.post('/sibling', (request) => ({ parsed: request.body }));
    });
    const base = await serve(fastify);
    for (const path of ['/before', '/after', '/sibling']) {
      const answer = await post(`${base}${path}`, '{"a":[1,2]}', { 'content-type': 'application/json' });
      expect(answer, path).toMatchObject({ status: 200, body: { parsed: { a: [1, 2] } } });
    }
    // The plugin's catch-all parser stays in its scope: another content type is still refused elsewhere.
    const other = await post(`${base}/after`, 'x', { 'content-type': 'application/x-other' });
    expect(other.status).toBe(415);
    expect(fastify.hasContentTypeParser('*')).toBe(false);
    expect(fastify.hasContentTypeParser('application/json')).toBe(true);

    const delivery = signedDelivery();
    expect((await post(`${base}/webhooks/together`, delivery.body, delivery.headers)).body).toEqual({ ok: true, outcome: 'processed', id: delivery.id });
  });

  it('verifies a delivery sent without content-type, and under a prefix', async () => {
    const { webhooks, runs } = receiver();
    const fastify = app();
    await fastify.register(togetherWebhooks, { webhooks, path: '/together', prefix: '/webhooks' });
    const base = await serve(fastify);
    const delivery = signedDelivery();
    const headers = Object.fromEntries(Object.entries(delivery.headers).filter(([key]) => key !== 'content-type'));
    const answer = await sendRequest(`${base}/webhooks/together`, { headers, body: delivery.body });
    expect(answer).toMatchObject({ status: 200, body: { ok: true, outcome: 'processed', id: delivery.id } });
    expect(runs).toEqual([delivery.id]);
  });

  it("answers 413 with the core's body where Fastify's own bodyLimit error would be its default error body", async () => {
    const { webhooks } = receiver({ maxBodyBytes: 4096 });
    const fastify = app();
    // What Fastify itself answers when a route's bodyLimit trips.
    fastify.post('/plain', { bodyLimit: 4096 }, () => ({}));
    await fastify.register(togetherWebhooks, { webhooks, path: '/webhooks' });
    const base = await serve(fastify);
    const big = signedDelivery({ event: makeEvent({ padTo: 8192 }) });
    const fastifys = await post(`${base}/plain`, big.body, big.headers);
    expect(fastifys).toMatchObject({
      status: 413,
      body: { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', error: 'Payload Too Large', message: 'Request body is too large' },
    });
    const ours = await post(`${base}/webhooks`, big.body, big.headers);
    expect(ours.status).toBe(413);
    expect(ours.body).toEqual({ ok: false, outcome: 'rejected', error: 'payload_too_large', message: expect.any(String) as unknown });
    expect(ours.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  // Fastify stops reading at the limit, and the core's answer closes the connection: the client
  // cannot push the rest of a 64 MiB body through, and the server reads a small part of it.
  it('reads little of a flood: a chunked 64 MiB body against a 4 KiB limit', async () => {
    const { webhooks, runs } = receiver({ maxBodyBytes: 4096 });
    const fastify = app();
    const sockets: Socket[] = [];
    fastify.server.on('connection', (socket: Socket) => sockets.push(socket));
    await fastify.register(togetherWebhooks, { webhooks, path: '/webhooks' });
    const base = await serve(fastify);
    const answer = await sendRequest(`${base}/webhooks`, {
      headers: signedDelivery().headers,
      body: new Uint8Array(64 * 1024 * 1024).fill(32),
      framing: 'chunked',
    });
    expect(answer).toMatchObject({ status: 413, body: { error: 'payload_too_large' }, headers: { connection: 'close' } });
    expect(answer.written).toBeLessThan(8 * 1024 * 1024);
    expect(sockets.reduce((total, socket) => total + socket.bytesRead, 0)).toBeLessThan(8 * 1024 * 1024);
    expect(runs).toEqual([]);
  });

  it("leaves errors of the app's own hooks to the app's error handler", async () => {
    const { webhooks } = receiver();
    const fastify = app();
    fastify.setErrorHandler((error: Error, _request, reply) => reply.code(418).send({ handledBy: 'app', message: error.message }));
    fastify.addHook('preHandler', async (request) => {
      if (request.headers['x-deny'] !== undefined) throw new Error('denied by the app');
    });
    await fastify.register(togetherWebhooks, { webhooks, path: '/webhooks' });
    const base = await serve(fastify);
    const delivery = signedDelivery();
    const denied = await post(`${base}/webhooks`, delivery.body, { ...delivery.headers, 'x-deny': '1' });
    expect(denied).toMatchObject({ status: 418, body: { handledBy: 'app', message: 'denied by the app' } });
    expect((await post(`${base}/webhooks`, delivery.body, delivery.headers)).status).toBe(200);
  });

  it('answers 500 and names the fix when a hook of the app replaced request.body, never a confusing 401', async () => {
    const { webhooks, runs, errors } = receiver();
    const fastify = app();
    fastify.addHook('preValidation', async (request) => {
      request.body = JSON.parse(Buffer.from(request.body as Uint8Array).toString('utf8')) as unknown;
    });
    await fastify.register(togetherWebhooks, { webhooks, path: '/webhooks' });
    const delivery = signedDelivery();
    const answer = await post(`${await serve(fastify)}/webhooks`, delivery.body, delivery.headers);
    expect(answer).toMatchObject({ status: 500, body: { ok: false, outcome: 'failed' } });
    expect(runs).toEqual([]);
    expect(errors.map(({ context }) => context.phase)).toEqual(['adapter']);
    expect(String(errors[0]!.error)).toMatch(/a preValidation or preHandler hook replaced it.*Leave request\.body of the webhook route as it is/s);
  });

  it('passes retry-after through when the store is unreachable', async () => {
    const { webhooks } = receiver({ store: unreachableStore() });
    const fastify = app();
    await fastify.register(togetherWebhooks, { webhooks, path: '/webhooks' });
    const delivery = signedDelivery();
    const answer = await post(`${await serve(fastify)}/webhooks`, delivery.body, delivery.headers);
    expect(answer).toMatchObject({ status: 503, body: { ok: false, outcome: 'store_unavailable', id: delivery.id } });
    expect(answer.headers.get('retry-after')).toBe('5');
  });

  it('calls onResult before sending, and keeps the headers it sets', async () => {
    const { webhooks } = receiver();
    const onResult = vi.fn<NonNullable<TogetherWebhooksOptions['onResult']>>((result, _request, reply) => {
      reply.header('x-outcome', result.outcome);
    });
    const fastify = app();
    await fastify.register(togetherWebhooks, { webhooks, path: '/webhooks', onResult });
    const delivery = signedDelivery();
    const answer = await post(`${await serve(fastify)}/webhooks`, delivery.body, delivery.headers);
    expect(answer.headers.get('x-outcome')).toBe('processed');
    expect(onResult).toHaveBeenCalledOnce();
  });

  it('reports a client that goes away mid-body once through onError, writes nothing, and keeps serving', async () => {
    const { webhooks, errors } = receiver();
    const fastify = app();
    let arrive = (): void => undefined;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    fastify.addHook('onRequest', async () => arrive());
    await fastify.register(togetherWebhooks, { webhooks, path: '/webhooks' });
    const url = `${await serve(fastify)}/webhooks`;
    const consoleError = vi.spyOn(console, 'error');

    await sendHalfThenVanish(url, arrived);
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]!.context).toEqual({ phase: 'adapter', outcome: 'failed' });
    expect(errors[0]!.error).toMatchObject({ name: 'ClientAbortedError' });

    const delivery = signedDelivery();
    expect((await post(url, delivery.body, delivery.headers)).body).toEqual({ ok: true, outcome: 'processed', id: delivery.id });
    expect(errors).toHaveLength(1);
    expect(consoleError).not.toHaveBeenCalled();
  });

  it.each<[string, unknown, RegExp]>([
    ['no options', undefined, /options\.webhooks must be the receiver/],
    ['no receiver', { path: '/webhooks' }, /options\.webhooks must be the receiver/],
    ['a path without a leading slash', { webhooks: receiver().webhooks, path: 'webhooks' }, /options\.path must be the route's path/],
  ])('refuses to register with %s, naming the fix', async (_case, options, message) => {
    const fastify = app();
    await expect(fastify.register(togetherWebhooks, options as TogetherWebhooksOptions).ready()).rejects.toThrow(message);
  });
});
