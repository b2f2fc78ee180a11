/**
 * Without `onError`, the mistakes a user must fix are printed (spec section 10): a JSON parser
 * mounted before the route answers 500 and says how to fix the route on console.error.
 */
import { createServer, type Server } from 'node:http';
import express from 'express';
import { afterEach, expect, it, vi } from 'vitest';
import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
import { TEST_SECRET, close, listen, post, signedDelivery } from '@x/together-webhooks-test-support';
import { togetherWebhooks } from '../src/index.js';

const servers: Server[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map(close));
});

it('express.json() mounted first: 500, and one line on console.error naming the fix', async () => {
  const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const webhooks = createWebhooks({ secret: TEST_SECRET, store: memoryStore() });
  webhooks.on('fine_tune.completed', () => undefined);
  const app = express();
  app.use(express.json());
  app.post('/webhooks', togetherWebhooks(webhooks));
  const server = createServer(app);
  servers.push(server);
  const delivery = signedDelivery();
  const answer = await post(`${await listen(server)}/webhooks`, delivery.body, delivery.headers);
  expect(answer.status).toBe(500);
  expect(consoleError).toHaveBeenCalledTimes(1);
  const line = consoleError.mock.calls[0]!.map(String).join(' ');
  expect(line).toMatch(/^\[together-webhooks\] adapter error, answered failed: TypeError: together-webhooks \(express\): req\.body was already parsed/);
  expect(line).toMatch(/Mount the webhook route before app\.use\(express\.json\(\)\)/);
  expect(line).not.toContain(TEST_SECRET);
});
