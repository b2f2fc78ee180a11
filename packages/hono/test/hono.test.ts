/**
 * What is Hono's own: the body a middleware read first (Hono's body cache, a clone, or gone), the
 * `onResult` hook and the argument check, through `@hono/node-server` and real HTTP.
 */
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono, type MiddlewareHandler } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhooks, memoryStore, type WebhookErrorContext, type Webhooks } from '@x/together-webhooks-core';
import { TEST_SECRET, close, listen, notUtf8Event, post, sendRequest, signedBytes, signedDelivery } from '@x/together-webhooks-test-support';
import { togetherWebhooks, type TogetherWebhooksOptions } from '../src/index.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(close));
});

function receiver() {
  const runs: string[] = [];
  const errors: { error: unknown; context: WebhookErrorContext }[] = [];
  const webhooks = createWebhooks({ secret: TEST_SECRET, store: memoryStore(), onError: (error, context) => errors.push({ error, context }) });
  webhooks.on('fine_tune.completed', (event) => {
    runs.push(event.id);
  });
  return { webhooks, runs, errors };
}

async function serveRoute(webhooks: Webhooks, first?: MiddlewareHandler, options?: TogetherWebhooksOptions): Promise<string> {
  const app = new Hono();
  if (first) app.use('/webhooks/*', first);
  app.post('/webhooks/together', togetherWebhooks(webhooks, options));
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  servers.push(server);
  return `${await listen(server)}/webhooks/together`;
}

const readFirst: Record<string, MiddlewareHandler> = {
  'c.req.arrayBuffer()': async (c, next) => {
    await c.req.arrayBuffer();
    await next();
  },
  'c.req.blob()': async (c, next) => {
    await c.req.blob();
    await next();
  },
  'c.req.raw.clone().text()': async (c, next) => {
    await c.req.raw.clone().text();
    await next();
  },
};

describe('a middleware that read the body first', () => {
  it.each(Object.keys(readFirst))('with %s: the exact bytes, even when they are not UTF-8', async (how) => {
    const { webhooks, runs, errors } = receiver();
    const url = await serveRoute(webhooks, readFirst[how]);
    const { id } = signedDelivery();
    const delivery = signedBytes(id, notUtf8Event(id));
    const answer = await sendRequest(url, delivery);
    expect(answer).toMatchObject({ status: 200, body: { ok: true, outcome: 'processed', id } });
    expect(runs).toEqual([id]);
    expect(errors).toEqual([]);
  });

  it('with c.req.text(): a UTF-8 body verifies; one that is not stays 401 and onError names the cause and the fix', async () => {
    const { webhooks, runs, errors } = receiver();
    const url = await serveRoute(webhooks, async (c, next) => {
      await c.req.text();
      await next();
    });
    const utf8 = signedDelivery();
    expect((await post(url, utf8.body, utf8.headers)).body).toEqual({ ok: true, outcome: 'processed', id: utf8.id });

    const { id } = signedDelivery();
    const bytes = signedBytes(id, notUtf8Event(id));
    const answer = await sendRequest(url, bytes);
    expect(answer).toMatchObject({ status: 401, body: { outcome: 'rejected', error: 'signature_mismatch' } });
    expect(runs).toEqual([utf8.id]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.context).toEqual({ phase: 'adapter', outcome: 'rejected' });
    expect(String(errors[0]!.error)).toMatch(/decoded from the bytes.*c\.req\.arrayBuffer\(\) or c\.req\.raw\.clone\(\)/s);
  });

  it('with c.req.raw.text(), which Hono does not cache: 500, never a confusing 401, and onError says how to fix the route', async () => {
    const { webhooks, runs, errors } = receiver();
    const url = await serveRoute(webhooks, async (c, next) => {
      await c.req.raw.text();
      await next();
    });
    const delivery = signedDelivery();
    const answer = await post(url, delivery.body, delivery.headers);
    expect(answer).toMatchObject({ status: 500, body: { ok: false, outcome: 'failed' } });
    expect(JSON.stringify(answer.body)).not.toContain('c.req');
    expect(runs).toEqual([]);
    expect(errors.map(({ context }) => context.phase)).toEqual(['adapter']);
    expect(String(errors[0]!.error)).toMatch(/Register the webhook route before that middleware, or have it read c\.req\.arrayBuffer\(\)/);
  });
});

it('calls onResult before answering, and keeps the headers it sets', async () => {
  const { webhooks } = receiver();
  const seen: string[] = [];
  const url = await serveRoute(webhooks, undefined, {
    onResult: (result, c) => {
      seen.push(result.outcome);
      c.header('x-outcome', result.outcome);
    },
  });
  const delivery = signedDelivery();
  const answer = await post(url, delivery.body, delivery.headers);
  expect(answer.headers.get('x-outcome')).toBe('processed');
  expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(seen).toEqual(['processed']);
});

it('refuses something that is not a receiver, naming what it needs', () => {
  expect(() => togetherWebhooks(undefined as unknown as Webhooks)).toThrow(/needs the receiver createWebhooks\(\) returned/);
});
