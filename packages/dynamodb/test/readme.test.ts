import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { Webhooks } from '@x/together-webhooks-core';
import { createSignedDelivery, createTestEvent } from '@x/together-webhooks-core/testing';
import { writeReadmeSource } from '@x/together-webhooks-test-support';
import { startDynalite, type Dynalite } from './dynalite.js';

const secret = 'whsec_readme_example';
let dynamo: Dynalite;

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createTable('readme-events');
  // The example's `new DynamoDBClient({})` reads its endpoint, region and credentials from the environment.
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  vi.stubEnv('TOGETHER_WEBHOOK_SECRET', secret);
  vi.stubEnv('WEBHOOK_EVENTS_TABLE', 'readme-events');
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await dynamo.stop();
});

it('runs the README example as written: processed once, then a duplicate', async () => {
  const { webhooks } = (await import(writeReadmeSource(fileURLToPath(new URL('..', import.meta.url)), 'example'))) as { webhooks: Webhooks };

  const delivery = createSignedDelivery(createTestEvent('fine_tune.completed'), { secret });
  expect((await webhooks.handle(delivery)).outcome).toBe('processed');
  expect((await webhooks.handle(delivery)).outcome).toBe('duplicate');
  expect(console.log).toHaveBeenCalledTimes(1);
});
