/**
 * @module app — the Hono app every runtime child serves for the table of delivery cases: the
 * table's receivers (built here, inside the runtime), one route each, `GET /__runs/:id` (how many
 * times a handler ran for an event, which the table asks across the process boundary) and
 * `GET /__ready`. Bundled per runtime by runtimes.test.ts.
 */
import { Hono } from 'hono';
import { tableReceivers } from '@x/together-webhooks-test-support/receivers';
import { togetherWebhooks } from '../../src/index.js';
import { READ_JSON_FIRST } from '../parser-first.js';

const receivers = tableReceivers();
export const app = new Hono();
for (const route of receivers.routes) {
  if (route.parserFirst) app.post(route.path, READ_JSON_FIRST.middleware, togetherWebhooks(route.webhooks));
  else app.post(route.path, togetherWebhooks(route.webhooks));
}
app.get('/__runs/:id', (c) => c.json({ runs: receivers.handlerRuns(c.req.param('id')) }));
app.get('/__ready', (c) => c.json({ ready: true }));
