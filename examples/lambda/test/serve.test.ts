import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startExample } from '@x/together-webhooks-test-support/start-example';
import { sign } from '@x/together-webhooks-core';

const here = fileURLToPath(new URL('..', import.meta.url));

describe('pnpm --filter @x/example-lambda serve', () => {
  it('answers real HTTP deliveries through HTTP API events on 127.0.0.1:$PORT', async () => {
    const secret = 'whsec_example_lambda_serve_test';
    const { port } = await startExample(here, 'src/serve.js', secret);

    const id = `evt_lambda_serve_${Date.now()}`;
    const body = JSON.stringify({ id, type: 'fine_tune.completed', created: new Date().toISOString(), data: { id: 'ft-1', status: 'completed' } });
    const url = `http://127.0.0.1:${port}/webhooks/together`;
    const first = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...sign(body, { secret }) } });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, outcome: 'processed', id });
    const tampered = await fetch(url, { method: 'POST', body: body.replace('completed', 'failed'), headers: sign(body, { secret }) });
    expect(tampered.status).toBe(401);
  });
});
