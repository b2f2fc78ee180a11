/**
 * The README's example, run exactly as written: a receiver with `openTelemetry()` over the global
 * providers the example registers, whose delivery is answered and whose handler span is printed.
 */
import { fileURLToPath } from 'node:url';
import { trace, context, propagation } from '@opentelemetry/api';
import { afterAll, expect, it, vi } from 'vitest';
import type { Webhooks } from '@x/together-webhooks-core';
import { createSignedDelivery, createTestEvent } from '@x/together-webhooks-core/testing';
import { writeReadmeSource } from '@x/together-webhooks-test-support';

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
