/**
 * The table of delivery cases against the middleware on Express 5 and 4, through real HTTP.
 */
import { createServer } from 'node:http';
import express5 from 'express';
import express4 from 'express4';
import { describeDeliveryCases, serveNode } from '@x/together-webhooks-test-support/delivery-cases';
import { togetherWebhooks } from '../src/index.js';

for (const [name, express] of [
  ['Express 5', express5],
  ['Express 4', express4],
] as const) {
  describeDeliveryCases(
    name,
    (routes) => {
      const app = express();
      for (const route of routes) {
        if (route.parserFirst) app.post(route.path, express.json(), togetherWebhooks(route.webhooks));
        else app.post(route.path, togetherWebhooks(route.webhooks));
      }
      return serveNode(createServer(app));
    },
    // The message naming the fix is checked in express.test.ts.
    { parserFirst: { parser: 'express.json() on the route', answers: 'misconfigured' } },
  );
}
