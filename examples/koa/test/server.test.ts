import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '@x/together-webhooks-core';

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

describe('pnpm --filter @x/example-koa start', () => {
  it('listens on 127.0.0.1:$PORT with $TOGETHER_WEBHOOK_SECRET, processes a delivery, then answers its duplicate', async () => {
    const port = await freePort();
    const secret = 'whsec_example_koa_test';
    const child = spawn(process.execPath, ['src/server.js'], {
      cwd: here,
      env: { ...process.env, PORT: String(port), TOGETHER_WEBHOOK_SECRET: secret },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    while (!output.includes('POST http://127.0.0.1')) await once(child.stdout, 'data');

    const id = `evt_koa_${Date.now()}`;
    const body = JSON.stringify({ id, type: 'fine_tune.completed', created: new Date().toISOString(), data: { id: 'ft-1', status: 'completed' } });
    const headers = { 'content-type': 'application/json', ...sign(body, { secret }) };
    const url = `http://127.0.0.1:${port}/webhooks/together`;
    const first = await fetch(url, { method: 'POST', body, headers });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, outcome: 'processed', id });
    const again = await fetch(url, { method: 'POST', body, headers });
    expect(await again.json()).toEqual({ ok: true, outcome: 'duplicate', id });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(output).toContain(`received fine_tune.completed ${id}`);
  });
});
