/**
 * The table of delivery cases against the middleware on Koa 3 and 2 with @koa/router, through
 * real HTTP.
 */
import { createServer } from 'node:http';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { describeDeliveryCases, serveNode } from '@x/together-webhooks-test-support/delivery-cases';
import { togetherWebhooks } from '../src/index.js';

for (const [name, Koa] of [
  ['Koa 3', Koa3],
  ['Koa 2', Koa2],
] as const) {
  describeDeliveryCases(
    name,
    (routes) => {
      const router = new Router();
      for (const route of routes) {
        if (route.parserFirst) router.post(route.path, bodyParser(), togetherWebhooks(route.webhooks));
        else router.post(route.path, togetherWebhooks(route.webhooks));
      }
      const app = new Koa();
      app.use(router.routes());
      const callback = app.callback();
      return serveNode(createServer((req, res) => void callback(req, res)));
    },
    // The decoded-text caveat of that rawBody is tested in decoded-raw-body.test.ts.
    { parserFirst: { parser: '@koa/bodyparser on the route, which keeps ctx.request.rawBody', answers: 'processed' } },
  );
}
