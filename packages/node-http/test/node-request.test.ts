import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhooks, type WebhookErrorContext, type WebhookResult } from '@x/together-webhooks-core';
import { ClientAbortedError, nodeAdapterResult } from '@x/together-webhooks-node-http';
import { TEST_SECRET, close, listen, sendHalfThenVanish, signedDelivery } from '@x/together-webhooks-test-support';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(close));
});

/** A server that hands each request to `funnel`, answers 204 whatever it settles with, and keeps the settled promises. */
async function serve(funnel: typeof nodeAdapterResult) {
  const errors: { error: unknown; context: WebhookErrorContext }[] = [];
  const webhooks = createWebhooks({ secret: TEST_SECRET, onError: (error, context) => errors.push({ error, context }) });
  const settled: Promise<WebhookResult | undefined>[] = [];
  const server = createServer((req, res) => {
    const result = funnel(webhooks, req, undefined, 'fix the route');
    settled.push(result);
    result.then(
      (answer) => res.writeHead(answer?.status ?? 204).end(),
      () => res.writeHead(204).end(),
    );
  });
  servers.push(server);
  return { url: await listen(server), settled, errors };
}

/** Resolves once the server holds a request (its funnel has started). */
async function heldBy(settled: unknown[]): Promise<void> {
  while (settled.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('a client that goes away mid-body', () => {
  it('nodeAdapterResult reports it once (phase adapter, outcome failed) and resolves undefined: nothing to write', async () => {
    const { url, settled, errors } = await serve(nodeAdapterResult);
    await sendHalfThenVanish(url, heldBy(settled));
    expect(await settled[0]!).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.error).toBeInstanceOf(ClientAbortedError);
    expect(errors[0]!.error).toMatchObject({ name: 'ClientAbortedError' });
    expect(errors[0]!.context).toEqual({ phase: 'adapter', outcome: 'failed' });
  });

  it('nodeAdapterResult answers a complete delivery as handle() does', async () => {
    const { url, settled, errors } = await serve(nodeAdapterResult);
    const delivery = signedDelivery();
    const response = await fetch(url, { method: 'POST', body: delivery.body, headers: delivery.headers });
    expect(response.status).toBe(200);
    expect(await settled[0]!).toMatchObject({ outcome: 'unhandled', status: 200 });
    expect(errors).toEqual([]);
  });
});
