/**
 * The table of delivery cases against both Next.js handlers, each behind node:http as Next.js
 * serves them: the App Router handler gets a `Request` whose body streams from the socket
 * (`fetchListener`), the Pages Router handler the `IncomingMessage` with the body parser off. The
 * same table runs against `next start` in examples/next.
 */
import { createServer } from 'node:http';
import { fetchListener } from '@x/together-webhooks-test-support';
import { describeDeliveryCases, serveNode } from '@x/together-webhooks-test-support/delivery-cases';
import { createApiHandler, createRouteHandler } from '../src/index.js';

describeDeliveryCases(
  'Next.js App Router (createRouteHandler, a streamed Request)',
  (routes) => {
    const handlers = new Map(routes.map((route) => [route.path, createRouteHandler(route.webhooks)]));
    return serveNode(createServer(fetchListener((request, path) => handlers.get(path)?.(request))));
  },
  {
    parserFirst: { none: 'an App Router route gets the unread Request: Next.js parses nothing before it' },
  },
);

describeDeliveryCases(
  'Next.js Pages Router (createApiHandler, bodyParser: false)',
  (routes) => {
    const handlers = new Map(routes.map((route) => [route.path, createApiHandler(route.webhooks)]));
    return serveNode(
      createServer((req, res) => {
        const handler = handlers.get(req.url ?? '');
        if (handler) void handler(req, res);
        else res.writeHead(404).end();
      }),
    );
  },
  // With bodyParser on, Next.js reads the body before the handler: api-handler.test.ts and examples/next.
  { parserFirst: { none: 'the body parser runs inside Next.js itself, not here: tested against next start in examples/next' } },
);
