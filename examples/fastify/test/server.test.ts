import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { post, signedDelivery } from '@x/together-webhooks-test-support';
import { startExample } from '@x/together-webhooks-test-support/start-example';

const here = fileURLToPath(new URL('..', import.meta.url));

describe('pnpm --filter @x/example-fastify start', () => {
  it('listens on 127.0.0.1:$PORT with $TOGETHER_WEBHOOK_SECRET, processes a delivery, answers its duplicate, and keeps JSON parsing elsewhere', async () => {
    const secret = 'whsec_example_fastify_test';
    const { port, output } = await startExample(here, 'src/server.js', secret);
    const url = `http://127.0.0.1:${port}/webhooks/together`;
    const delivery = signedDelivery({ secret });
    expect((await post(url, delivery.body, delivery.headers)).body).toEqual({ ok: true, outcome: 'processed', id: delivery.id });
    expect((await post(url, delivery.body, delivery.headers)).body).toEqual({ ok: true, outcome: 'duplicate', id: delivery.id });
    await vi.waitFor(() => expect(output()).toContain(`received fine_tune.completed ${delivery.id}`));
    const echo = await post(`http://127.0.0.1:${port}/api/echo`, '{"a":1}', { 'content-type': 'application/json' });
    expect(echo).toMatchObject({ status: 200, body: { parsed: { a: 1 } } });
  });
});
