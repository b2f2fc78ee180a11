import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleEvent, send, signedDelivery } from '../src/deliveries.js';

const here = fileURLToPath(new URL('..', import.meta.url));
const children: ReturnType<typeof spawn>[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    child.kill();
    await once(child, 'exit');
  }
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('pnpm --filter @x/example-express start', () => {
  it('listens on 127.0.0.1:$PORT with $TOGETHER_WEBHOOK_SECRET and processes a signed delivery', async () => {
    const port = await freePort();
    const secret = 'whsec_example_server_test';
    const child = spawn(process.execPath, ['src/server.js'], {
      cwd: here,
      env: { ...process.env, PORT: String(port), TOGETHER_WEBHOOK_SECRET: secret },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    while (!output.includes('POST http://127.0.0.1')) {
      await once(child.stdout, 'data');
    }
    expect(output).toContain(`POST http://127.0.0.1:${port}/webhooks/together`);
    const delivery = signedDelivery({ secret, event: sampleEvent('fine_tune.completed') });
    const answer = await send(`http://127.0.0.1:${port}/webhooks/together`, delivery);
    expect(answer).toMatchObject({ status: 200, body: { ok: true, outcome: 'processed', id: delivery.id } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(output).toContain(`received fine_tune.completed ${delivery.id}`);
  });
});
