/**
 * The table of delivery cases against Hono on Node, through `@hono/node-server` and real HTTP.
 */
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { describeDeliveryCases, serveNode } from '@x/together-webhooks-test-support/delivery-cases';
import { togetherWebhooks } from '../src/index.js';
import { READ_JSON_FIRST } from './parser-first.js';

describeDeliveryCases(
  'Hono on Node (@hono/node-server)',
  (routes) => {
    const app = new Hono();
    for (const route of routes) {
      if (route.parserFirst) app.post(route.path, READ_JSON_FIRST.middleware, togetherWebhooks(route.webhooks));
      else app.post(route.path, togetherWebhooks(route.webhooks));
    }
    // Not listening yet: serveNode starts it on a free loopback port.
    return serveNode(createAdaptorServer({ fetch: app.fetch }) as Server);
  },
  { parserFirst: READ_JSON_FIRST.difference },
);
