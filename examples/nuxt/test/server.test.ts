import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startExample } from '@x/together-webhooks-test-support/start-example';
import { sign } from '@x/together-webhooks-core';

const here = fileURLToPath(new URL('..', import.meta.url));

describe('pnpm --filter @x/example-nuxt start', () => {
  it('serves the Nuxt route file on 127.0.0.1:$PORT: processes a delivery, then answers its duplicate', async () => {
    const secret = 'whsec_example_nuxt_test';
    const { port, output } = await startExample(here, 'src/server.js', secret);

    const id = `evt_nuxt_${Date.now()}`;
    const body = JSON.stringify({ id, type: 'fine_tune.completed', created: new Date().toISOString(), data: { id: 'ft-1', status: 'completed', model_output_name: 'you/model-7f2a' } });
    const headers = { 'content-type': 'application/json', ...sign(body, { secret }) };
    const url = `http://127.0.0.1:${port}/webhooks/together`;
    const first = await fetch(url, { method: 'POST', body, headers });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, outcome: 'processed', id });
    const again = await fetch(url, { method: 'POST', body, headers });
    expect(await again.json()).toEqual({ ok: true, outcome: 'duplicate', id });
    const forged = await fetch(url, { method: 'POST', body, headers: { ...headers, 'x-together-signature': '0'.repeat(64) } });
    expect(forged.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(output()).toContain('fine-tune ft-1 completed: you/model-7f2a');
    expect(output()).toContain(`received fine_tune.completed ${id}`);
  });
});
