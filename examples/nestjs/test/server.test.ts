import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startExample } from '@x/together-webhooks-test-support/start-example';
import { sign } from '@x/together-webhooks-core';

const here = fileURLToPath(new URL('..', import.meta.url));

afterEach(() => {
  delete process.env.NEST_PLATFORM;
});

describe.each(['express', 'fastify'])('pnpm --filter @x/example-nestjs start (NEST_PLATFORM=%s)', (platform) => {
  it('listens on 127.0.0.1:$PORT, processes a delivery through the injected service, answers its duplicate, and still parses JSON elsewhere', async () => {
    process.env.NEST_PLATFORM = platform;
    const secret = 'whsec_example_nestjs_test';
    const { port, output } = await startExample(here, 'src/server.js', secret);
    expect(output()).toContain(`${platform} platform`);

    const id = `evt_nestjs_${platform}_${Date.now()}`;
    const body = JSON.stringify({ id, type: 'fine_tune.completed', created: new Date().toISOString(), data: { id: 'ft-1', status: 'completed', model_output_name: 'you/model-7f2a' } });
    const headers = { 'content-type': 'application/json', ...sign(body, { secret }) };
    const url = `http://127.0.0.1:${port}/webhooks/together`;
    const first = await fetch(url, { method: 'POST', body, headers });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, outcome: 'processed', id });
    const again = await fetch(url, { method: 'POST', body, headers });
    expect(await again.json()).toEqual({ ok: true, outcome: 'duplicate', id });

    const echo = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', body: '{"hello":"nest"}', headers: { 'content-type': 'application/json' } });
    expect(await echo.json()).toEqual({ received: { hello: 'nest' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(output()).toContain('deploying you/model-7f2a');
    expect(output()).toContain(`received fine_tune.completed ${id}`);
  });
});
