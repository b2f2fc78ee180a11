import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { post, signedDelivery } from '@x/together-webhooks-test-support';
import { startExample } from '@x/together-webhooks-test-support/start-example';

const here = fileURLToPath(new URL('..', import.meta.url));

describe('pnpm --filter @x/example-hono start', () => {
  it('listens on 127.0.0.1:$PORT with $TOGETHER_WEBHOOK_SECRET, processes a delivery, then answers its duplicate', async () => {
    const secret = 'whsec_example_hono_test';
    const { port, output } = await startExample(here, 'src/server.js', secret);
    const url = `http://127.0.0.1:${port}/webhooks/together`;
    const delivery = signedDelivery({ secret });
    expect((await post(url, delivery.body, delivery.headers)).body).toEqual({ ok: true, outcome: 'processed', id: delivery.id });
    expect((await post(url, delivery.body, delivery.headers)).body).toEqual({ ok: true, outcome: 'duplicate', id: delivery.id });
    await vi.waitFor(() => expect(output()).toContain(`fine-tune ft-6a1b2c3d-0000-4e5f-8a9b-0c1d2e3f4a5b completed: acme/`));
  });
});
