/**
 * @module readme-example — the test every Node adapter runs on its README: the example, exactly
 * as written, started against the build, answers a real signed delivery.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { signedDelivery } from './deliveries.js';
import { post } from './http.js';
import { freePort, waitForServer } from './ports.js';
import { writeReadmeExample } from './readme.js';

/**
 * Registers the README test of the adapter in `packageDir`: its `readme-example` block runs as a
 * server on `$PORT`, and a delivery signed with `secret` is processed by the example's handler.
 */
export function describeReadmeExample(packageDir: string, secret: string): void {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode !== null) continue;
      child.kill();
      await once(child, 'exit');
    }
  });

  describe('README example (against the build: pnpm build)', () => {
    it('runs as written and processes a signed delivery', async () => {
      const file = await writeReadmeExample(packageDir, 'readme-example');
      const port = await freePort();
      const child = spawn(process.execPath, [file], {
        env: { ...process.env, PORT: String(port), TOGETHER_WEBHOOK_SECRET: secret },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitForServer(`http://127.0.0.1:${port}/`);
      const delivery = signedDelivery({ secret });
      const answer = await post(`http://127.0.0.1:${port}/webhooks/together`, delivery.body, delivery.headers);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ ok: true, outcome: 'processed', id: delivery.id });
      await vi.waitFor(() => {
        expect(output).toContain('model ready: acme/Meta-Llama-3.1-8B-Instruct-Reference-support-bot-2b1c');
      });
    });
  });
}
