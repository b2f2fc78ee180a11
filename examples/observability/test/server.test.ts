import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startExample } from '@x/together-webhooks-test-support/start-example';

const here = fileURLToPath(new URL('..', import.meta.url));

describe('pnpm --filter @x/example-observability start', () => {
  it('prints the span of a delivery, continuing the traceparent it carried, with the handler’s span inside', async () => {
    const secret = 'whsec_example_observability_test';
    const { port, output } = await startExample(here, 'src/server.js', secret);
    const id = `evt_obs_${Date.now().toString(36)}`;
    const body = JSON.stringify({ id, type: 'fine_tune.completed', created: new Date().toISOString(), data: { id: 'ft-1', status: 'completed', model_output_name: 'me/model' } });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
    const traceId = randomBytes(16).toString('hex');
    const response = await fetch(`http://127.0.0.1:${port}/webhooks/together`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-together-timestamp': timestamp, 'x-together-signature': signature, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    expect(response.status).toBe(200);
    const deadline = Date.now() + 5000;
    while (!output().includes("name: 'process fine_tune.completed'") && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const printed = output();
    expect(printed).toContain('OpenTelemetry: spans printed to the console');
    expect(printed).toContain("name: 'process fine_tune.completed'");
    expect(printed).toContain(`'messaging.message.id': '${id}'`);
    expect(printed).toContain("'messaging.together_webhooks.outcome': 'processed'");
    expect(printed).toContain("name: 'deploy model'");
    expect(printed).toContain(`traceId: '${traceId}'`);
    expect(printed).not.toContain(secret);
    expect(printed).not.toContain(signature);
  });
});

describe('pnpm --filter @x/example-observability watch', () => {
  it('polls the fake Together API and forwards to the server: one trace from the poll to the handler', async () => {
    const secret = 'whsec_example_observability_watch_test';
    const server = await startExample(here, 'src/server.js', secret);
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(server.port), TOGETHER_WEBHOOK_SECRET: secret };
    // The fake, never Together's API: no key.
    delete env.TOGETHER_API_KEY;
    const { stdout } = await promisify(execFile)(process.execPath, ['src/watch.js'], { cwd: here, env, timeout: 20_000 });
    expect(stdout).toContain("polling a local fake of Together's API");
    expect(stdout).toContain('poll: 2 requests, 1 announced, 1 delivered');
    // The console exporter prints `traceId` first, then the span's `name`.
    const traceId = /traceId: '([0-9a-f]{32})',\s*parentSpanContext: undefined,\s*traceState: undefined,\s*name: 'poll Together jobs'/.exec(stdout)?.[1];
    expect(traceId, stdout).toBeDefined();
    expect(stdout).toContain("name: 'send fine_tune.completed'");
    const deadline = Date.now() + 5000;
    while (!server.output().includes("name: 'deploy model'") && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const printed = server.output();
    for (const name of ['process fine_tune.completed', 'deploy model']) {
      expect(new RegExp(`traceId: '${traceId}',[\\s\\S]{0,400}?name: '${name}'`).test(printed), `${name} in trace ${traceId}:\n${printed}`).toBe(true);
    }
    expect(stdout + printed).not.toContain(secret);
  });
});
