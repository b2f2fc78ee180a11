/**
 * The Pages Router handler behind what Next.js's API resolver does with `bodyParser` on. The
 * delivery cases (body parser off) are in delivery-cases.test.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhooks, memoryStore, type WebhookErrorContext } from '@x/together-webhooks-core';
import { TEST_SECRET, close, listen, post, signedDelivery } from '@x/together-webhooks-test-support';
import { createApiHandler, type ApiHandler } from '../src/index.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(close));
});

// What Next.js's API resolver does with `bodyParser` on: read the stream, then set req.body.
async function nextBodyParser(req: IncomingMessage & { body?: unknown }): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  req.body = req.headers['content-type'] === 'application/json' ? JSON.parse(text) : text;
}

async function start(options: { bodyParser: boolean; maxBodyBytes?: number }) {
  const errors: { error: unknown; context: WebhookErrorContext }[] = [];
  const runs: string[] = [];
  const webhooks = createWebhooks({
    secret: TEST_SECRET,
    store: memoryStore(),
    onError: (error, context) => errors.push({ error, context }),
    ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
  });
  webhooks.on('fine_tune.completed', (event) => {
    runs.push(event.id);
  });
  const handler: ApiHandler = createApiHandler(webhooks);
  const server = createServer((req: IncomingMessage & { body?: unknown }, res: ServerResponse) => {
    void (async () => {
      if (options.bodyParser) await nextBodyParser(req);
      await handler(req, res);
    })();
  });
  servers.push(server);
  return { url: await listen(server), errors, runs };
}

describe('createApiHandler', () => {
  it('answers 500 and names `bodyParser: false` when the body parser ran', async () => {
    const { url, runs, errors } = await start({ bodyParser: true });
    const delivery = signedDelivery();
    const answer = await post(url, delivery.body, delivery.headers);
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ ok: false, outcome: 'failed' });
    expect(runs).toEqual([]);
    expect(errors.map((e) => e.context)).toEqual([{ phase: 'adapter', outcome: 'failed' }]);
    expect((errors[0]!.error as Error).message).toContain('export const config = { api: { bodyParser: false } }');
  });
});
