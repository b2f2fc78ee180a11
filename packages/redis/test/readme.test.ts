import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Webhooks } from '@x/together-webhooks-core';
import { createSignedDelivery, createTestEvent } from '@x/together-webhooks-core/testing';
import { writeReadmeExample, writeReadmeSource } from '@x/together-webhooks-test-support';
import { redisServerAvailable, startRedis, type RedisServer } from '@x/together-webhooks-test-support/redis-server';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const secret = 'whsec_readme_example';

/** The README block after `<!-- example:<name> -->`, written as a module to import. */
const example = (name: string): string => writeReadmeSource(packageDir, `example:${name}`);

// Far more than the kit needs (its leases and retentions wait out about 3 s): past it, the example
// left something open and would never exit.
const EXIT_DEADLINE_MS = 30_000;

describe.skipIf(!redisServerAvailable)('the README examples run as written', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
    vi.stubEnv('REDIS_URL', server.url);
    vi.stubEnv('TOGETHER_WEBHOOK_SECRET', secret);
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    await server.stop();
  });

  it.each([
    ['ioredis', 'fine_tune.completed', (module: Record<string, unknown>) => (module.redis as { disconnect(): void }).disconnect()],
    ['node-redis', 'batch.completed', async (module: Record<string, unknown>) => (module.client as { destroy(): Promise<void> }).destroy()],
  ] as const)('with %s: processed once, then a duplicate', async (name, type, close) => {
    vi.mocked(console.log).mockClear();
    const module = (await import(example(name))) as Record<string, unknown>;
    const webhooks = module.webhooks as Webhooks;
    try {
      const delivery = createSignedDelivery(createTestEvent(type), { secret });
      expect((await webhooks.handle(delivery)).outcome).toBe('processed');
      expect((await webhooks.handle(delivery)).outcome).toBe('duplicate');
      expect(console.log).toHaveBeenCalledTimes(1);
    } finally {
      await close(module);
    }
  });

  it('the conformance example, run as its own process against the build, passes and exits by itself', async () => {
    // An ES module file in the package, so its imports resolve as in an app (the package by name, its dist).
    const file = await writeReadmeExample(packageDir, 'example:conformance');
    const child = spawn(process.execPath, [file], { env: { ...process.env, REDIS_URL: server.url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = setTimeout(() => child.kill('SIGKILL'), EXIT_DEADLINE_MS);
    const [exitCode, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    clearTimeout(deadline);
    expect(signal, `still running after ${EXIT_DEADLINE_MS} ms (a client left open?); output:\n${output}`).toBeNull();
    expect(exitCode, output).toBe(0);
    expect(output).toMatch(/all \d+ checks passed/);
  });
});
