import { fileURLToPath } from 'node:url';
import { expect, it, vi } from 'vitest';
import { writeReadmeSource } from '@x/together-webhooks-test-support';
import type { TogetherJobWatcher } from '../src/index.js';
import { fakeApi, onCleanup } from './helpers.js';


it('runs the README example against the fake Together API', async () => {
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

  const example = (await import(writeReadmeSource(fileURLToPath(new URL('..', import.meta.url)), 'readme-example'))) as { watcher: TogetherJobWatcher };
  onCleanup(() => example.watcher.stop());

  expect(example.watcher.running).toBe(true);
  expect(log.mock.calls).toEqual([
    ['model ready:', 'fake-user/Meta-Llama-3.1-8B-Instruct-Reference-ft-readme'],
    ['batch batch-readme ended: FAILED'],
  ]);
  // Only the two resources it names are polled.
  expect(api.requestCount('/v1/endpoints')).toBe(0);
});
