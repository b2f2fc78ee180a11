// Fastify adapter throughput (spec section 9), measured as the Express bench is (bench/lib/adapter-bench.mjs):
// Fastify with the togetherWebhooks plugin and the memory store against the verify floor on
// Fastify (a route in a scope whose content-type parser keeps the raw bytes, as the plugin's does,
// that checks the HMAC, parses the JSON and answers a small JSON body). Needs the builds:
// pnpm --filter @x/together-webhooks-fastify... build
//
//   node packages/fastify/bench/fastify.bench.mjs [--duration 5] [--warmup 2] [--connections 10] [--rounds 5] [--ids unique|fixed] [--verbose] [--instructions]
import { BENCH_PATH, benchReceiver, floorAnswer, runAdapterBench } from '../../../bench/lib/adapter-bench.mjs';

const JSON_TYPE = 'application/json; charset=utf-8';

/** A Fastify app with `route` in a scope that reads every body as raw bytes. */
async function rawRouteApp(route) {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post(BENCH_PATH, route);
  });
  return app;
}

async function listen(app, completed) {
  app.server.keepAliveTimeout = 30_000;
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: app.server.address().port, completed };
}

await runAdapterBench({
  framework: 'Fastify',
  adapter: 'togetherWebhooks',
  benchFile: import.meta.url,
  autocannon: () => import('autocannon'),
  serve: {
    bare: async () => listen(await rawRouteApp(async (request, reply) => reply.type(JSON_TYPE).send(`{"ok":true,"bytes":${request.body.byteLength}}`))),
    floor: async () => listen(await rawRouteApp(async (request, reply) => reply.type(JSON_TYPE).send(floorAnswer(request.body, request.headers)))),
    adapter: async () => {
      const { default: Fastify } = await import('fastify');
      const { togetherWebhooks } = await import('@x/together-webhooks-fastify');
      const { webhooks, completed } = await benchReceiver();
      const app = Fastify();
      await app.register(togetherWebhooks, { webhooks, path: BENCH_PATH });
      return listen(app, completed);
    },
  },
});
