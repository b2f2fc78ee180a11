/**
 * The README's examples, exactly as written: the two servers run as their own processes against the
 * build (pnpm build), and the `forRootAsync` module is served on both platforms. Nest's decorators
 * need TypeScript's `experimentalDecorators`, so the blocks are compiled with it here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transform } from 'esbuild';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, post, readmeExample, signedDelivery, waitForServer } from '@x/together-webhooks-test-support';
import { startNestApp, type RunningApp } from './nest-app.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const secret = 'whsec_readme_nestjs';

async function compiledBlock(marker: string): Promise<string> {
  const { code } = await transform(readmeExample(join(packageDir, 'README.md'), marker), {
    loader: 'ts',
    format: 'esm',
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true } },
  });
  mkdirSync(join(packageDir, '.tmp'), { recursive: true });
  const file = join(packageDir, '.tmp', `readme-${marker}.mjs`);
  writeFileSync(file, code);
  return file;
}

const children: ChildProcess[] = [];
const apps: RunningApp[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(apps.splice(0).map((running) => running.close()));
  for (const child of children.splice(0)) {
    if (child.exitCode !== null) continue;
    child.kill();
    await once(child, 'exit');
  }
});

beforeAll(() => {
  process.env.TOGETHER_WEBHOOK_SECRET = secret;
});

describe('README examples (against the build: pnpm build)', () => {
  it.each(['readme-example', 'readme-fastify'])('%s runs as written and processes a signed delivery', async (marker) => {
    const file = await compiledBlock(marker);
    const port = await freePort();
    const child = spawn(process.execPath, [file], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
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

  it.each(['express', 'fastify'] as const)('readme-async: the factory-built receiver calls the injected service (%s)', async (platform) => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const example = (await import(pathToFileURL(await compiledBlock('readme-async')).href)) as { AppModule: new () => unknown };
    const running = await startNestApp(platform, [example.AppModule], { rawBody: true });
    apps.push(running);
    const delivery = signedDelivery({ secret });
    const answer = await post(`${running.url}/webhooks/together`, delivery.body, delivery.headers);
    expect(answer.body).toEqual({ ok: true, outcome: 'processed', id: delivery.id });
    expect(log).toHaveBeenCalledWith('deploying acme/Meta-Llama-3.1-8B-Instruct-Reference-support-bot-2b1c');
  });
});
