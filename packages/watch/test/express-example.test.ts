import { memoryStore, type IdempotencyStore } from '@x/together-webhooks-core';
import { DEV_SECRET, start } from '@x/example-express';
import { expect, it } from 'vitest';
import { WatchDeliveryError } from '../src/index.js';
import { errors, fakeApi, onCleanup, sleep, waitFor, watcher } from './helpers.js';

it('forwards to the Express example over real HTTP and survives it answering 503 for a while', async () => {
  const api = await fakeApi();
  // The example's store is unreachable for its first six claims: the pipeline answers 503 with Retry-After.
  const memory = memoryStore();
  let outage = 6;
  const store: IdempotencyStore = {
    claim: (key, leaseMs) => (outage-- > 0 ? Promise.reject(new Error('store unreachable')) : memory.claim(key, leaseMs)),
    renew: (key, token, leaseMs) => memory.renew(key, token, leaseMs),
    complete: (key, token, retentionMs) => memory.complete(key, token, retentionMs),
    release: (key, token) => memory.release(key, token),
  };
  const lines: string[] = [];
  const example = await start({ port: 0, secret: DEV_SECRET, store, log: (line) => lines.push(line) });
  onCleanup(() => example.close());
  const handled: string[] = [];
  example.webhooks.onAny((event) => {
    handled.push(event.id);
  });

  const seen = errors();
  const id = String(api.create('fine_tune')['id']);
  const watch = watcher(api, {
    deliver: { url: example.url, secret: DEV_SECRET, maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
    resources: ['fine_tune'],
    onError: seen.onError,
  });
  await watch.start();
  await api.play('fine_tune', id, [
    { afterMs: 200, state: 'queued', afterReads: 2 },
    { afterMs: 200, state: 'running', afterReads: 2 },
    { afterMs: 200, state: 'completed', afterReads: 2 },
  ]);
  await waitFor(() => handled.length === 4, 'four events through Express', 20_000, () => ({
    handled,
    errors: seen.list.map(([error]) => String(error)),
    lines,
    requests: api.requests.map((request) => `${request.path} ${request.status}`).slice(-8),
  }));
  await sleep(200);
  expect(handled).toEqual(['pending', 'queued', 'running', 'completed'].map((state) => `fine_tune:${id}:${state}`));
  // Two rounds of three attempts met the outage; each was reported, nothing was dropped.
  expect(seen.list).toHaveLength(2);
  expect(seen.list.every(([error]) => error instanceof WatchDeliveryError && error.status === 503)).toBe(true);
  expect(lines.filter((line) => line.startsWith('webhook error in claim'))).toHaveLength(6);
  expect(lines).toContain(`fine-tune ${id} completed: fake-user/Meta-Llama-3.1-8B-Instruct-Reference-${id}`);
});
