/**
 * The README's examples, run exactly as written: a receiver with `openTelemetry()` over the global
 * providers the example registers, whose delivery is answered and whose handler span is printed;
 * and the watcher's, polling a fake Together API and forwarding to that receiver over HTTP.
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { trace, context, propagation } from '@opentelemetry/api';
import { afterAll, expect, it, vi } from 'vitest';
import type { Webhooks } from '@x/together-webhooks-core';
import { createSignedDelivery, createTestEvent } from '@x/together-webhooks-core/testing';
import { togetherWebhooks } from '@x/together-webhooks-express';
import { close, listen, writeReadmeSource } from '@x/together-webhooks-test-support';
import type { TogetherJobWatcher } from '@x/together-webhooks-watch';
import { startFakeTogetherApi } from '@x/together-webhooks-watch/testing';
import express from 'express';

afterAll(() => {
  trace.disable();
  context.disable();
  propagation.disable();
});

it('runs the README example: the delivery is processed and its spans go to the console', async () => {
  const printed: unknown[] = [];
  const dir = vi.spyOn(console, 'dir').mockImplementation((value) => void printed.push(value));
  const log = vi.spyOn(console, 'log').mockImplementation((value) => void printed.push(value));
  const { webhooks } = (await import(writeReadmeSource(fileURLToPath(new URL('..', import.meta.url)), 'readme-example'))) as { webhooks: Webhooks };
  const result = await webhooks.handle(createSignedDelivery(createTestEvent('fine_tune.completed'), { secret: 'whsec_readme_example' }));
  dir.mockRestore();
  log.mockRestore();
  expect(result.outcome).toBe('processed');
  const names = printed.map((entry) => (entry as { name?: string }).name);
  // The ConsoleSpanExporter prints each span as it ends: the handler's and the store's inside the delivery's.
  expect(names).toEqual(['claim', 'deploy model', 'complete', 'process fine_tune.completed']);
});

it('runs the watcher example: one trace from its poll, over HTTP, to the receiver’s handler', async () => {
  const packageDir = fileURLToPath(new URL('..', import.meta.url));
  const printed: { name?: string; traceId?: string; parentSpanContext?: { spanId?: string }; id?: string }[] = [];
  const dir = vi.spyOn(console, 'dir').mockImplementation((value) => void printed.push(value as (typeof printed)[number]));
  const log = vi.spyOn(console, 'log').mockImplementation((value) => void printed.push(value as (typeof printed)[number]));
  const api = await startFakeTogetherApi();
  api.create('fine_tune', { id: 'ft-readme', status: 'completed' });
  const { webhooks } = (await import(writeReadmeSource(packageDir, 'readme-example'))) as { webhooks: Webhooks };
  const app = express();
  app.post('/webhooks/together', togetherWebhooks(webhooks));
  const server = app.listen(0, '127.0.0.1');
  await listen(server);
  vi.stubEnv('TOGETHER_API_KEY', api.apiKey);
  vi.stubEnv('TOGETHER_BASE_URL', api.baseURL);
  vi.stubEnv('WEBHOOK_URL', `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/together`);
  try {
    // The example starts the watcher at import: its first poll is done when the import resolves.
    const { watcher } = (await import(writeReadmeSource(packageDir, 'readme-watch'))) as { watcher: TogetherJobWatcher };
    await watcher.stop();
  } finally {
    vi.unstubAllEnvs();
    dir.mockRestore();
    log.mockRestore();
    await close(server);
    await api.close();
  }
  const named = (name: string) => printed.find((span) => span.name === name);
  const poll = named('poll Together jobs');
  const send = named('send fine_tune.completed');
  const processed = named('process fine_tune.completed');
  expect(poll && send && processed && named('deploy model')).toBeTruthy();
  expect(new Set([poll, send, processed].map((span) => span?.traceId)).size).toBe(1);
  expect([poll?.id, send?.id]).toEqual([expect.stringMatching(/^[0-9a-f]{16}$/), expect.stringMatching(/^[0-9a-f]{16}$/)]);
  expect(send?.parentSpanContext?.spanId).toBe(poll?.id);
  expect(processed?.parentSpanContext?.spanId).toBe(send?.id);
});
