import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it, vi } from 'vitest';
import type { TogetherJobWatcher } from '../src/index.js';
import { fakeApi, onCleanup } from './helpers.js';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

it('runs the README example against the fake Together API', async () => {
  const block = /<!-- readme-example -->\s*```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const api = await fakeApi();
  api.create('fine_tune', { id: 'ft-readme', status: 'completed' });
  api.create('batch', { id: 'batch-readme', status: 'FAILED', completed_at: new Date().toISOString() });
  api.create('endpoint', { state: 'STARTED' });
  vi.stubEnv('TOGETHER_API_KEY', api.apiKey);
  vi.stubEnv('TOGETHER_BASE_URL', api.baseURL);
  onCleanup(() => {
    vi.unstubAllEnvs();
  });
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  onCleanup(() => log.mockRestore());

  const dir = fileURLToPath(new URL('./.tmp/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}readme-example.ts`;
  writeFileSync(file, block!);
  const example = (await import(/* @vite-ignore */ file)) as { watcher: TogetherJobWatcher };
  onCleanup(() => example.watcher.stop());

  expect(example.watcher.running).toBe(true);
  expect(log.mock.calls).toEqual([
    ['model ready:', 'fake-user/Meta-Llama-3.1-8B-Instruct-Reference-ft-readme'],
    ['batch batch-readme ended: FAILED'],
  ]);
  // Only the two resources it names are polled.
  expect(api.requestCount('/v1/endpoints')).toBe(0);
});
