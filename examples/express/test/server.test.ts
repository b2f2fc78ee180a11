import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startExample } from '@x/together-webhooks-test-support/start-example';
import { sampleEvent, send, signedDelivery } from '../src/deliveries.js';

const here = fileURLToPath(new URL('..', import.meta.url));

describe('pnpm --filter @x/example-express start', () => {
  it('listens on 127.0.0.1:$PORT with $TOGETHER_WEBHOOK_SECRET and processes a signed delivery', async () => {
    const secret = 'whsec_example_server_test';
    const { port, output } = await startExample(here, 'src/server.js', secret);
    expect(output()).toContain(`POST http://127.0.0.1:${port}/webhooks/together`);
    const delivery = signedDelivery({ secret, event: sampleEvent('fine_tune.completed') });
    const answer = await send(`http://127.0.0.1:${port}/webhooks/together`, delivery);
    expect(answer).toMatchObject({ status: 200, body: { ok: true, outcome: 'processed', id: delivery.id } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(output()).toContain(`received fine_tune.completed ${delivery.id}`);
  });
});
