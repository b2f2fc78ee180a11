/**
 * The table of delivery cases against the plugin on Fastify 5 and 4, through real HTTP.
 */
import Fastify5 from 'fastify';
import Fastify4 from 'fastify4';
import { describeDeliveryCases, httpTarget } from '@x/together-webhooks-test-support/delivery-cases';
import { togetherWebhooks } from '../src/index.js';

for (const [name, Fastify] of [
  ['Fastify 5', Fastify5],
  ['Fastify 4', Fastify4],
] as const) {
  describeDeliveryCases(
    name,
    async (routes) => {
      const app = Fastify();
      // The app's own JSON parser, app-wide, registered before the plugin: every other route uses it.
      app.removeContentTypeParser('application/json');
      app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
        done(null, JSON.parse(body as string));
      });
      for (const route of routes) await app.register(togetherWebhooks, { webhooks: route.webhooks, path: route.path });
      return httpTarget(await app.listen({ port: 0, host: '127.0.0.1' }), () => app.close());
    },
    {
      parserFirst: {
        parser: "the app's JSON content-type parser, app-wide: the plugin's scope replaces it",
        answers: 'processed',
      },
    },
  );
}
