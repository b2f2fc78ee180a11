// NestJS adapter throughput (spec section 9), measured as the Express bench is (bench/lib/adapter-bench.mjs):
// Nest on one platform, `rawBody: true`, with TogetherWebhooksModule and the memory store against
// the verify floor on the same platform and options (a Nest controller that takes Nest's
// req.rawBody, checks the HMAC, parses the JSON and answers a small JSON body). The platform is
// BENCH_NEST_PLATFORM (express, the default, or fastify); run it once per platform. Needs the
// builds: pnpm --filter @x/together-webhooks-nestjs... build
//
//   [BENCH_NEST_PLATFORM=fastify] node packages/nestjs/bench/nestjs.bench.mjs [--duration 5] [--warmup 2] [--connections 10] [--rounds 5] [--ids unique|fixed] [--verbose] [--instructions]
import { BENCH_PATH, benchReceiver, floorAnswer, runAdapterBench } from '../../../bench/lib/adapter-bench.mjs';

const platform = process.env.BENCH_NEST_PLATFORM === 'fastify' ? 'fastify' : 'express';
const JSON_TYPE = 'application/json; charset=utf-8';

// Express's res or a FastifyReply: a 200 with a JSON body, written as the module writes it.
function respond(res, json) {
  if ('raw' in res) res.code(200).header('content-type', JSON_TYPE).send(json);
  else {
    res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(json) });
    res.end(json);
  }
}

// A Nest app whose root module has `controllers` and imports `imports`, listening on 127.0.0.1.
async function serveNest({ controllers = [], imports = [] }, completed) {
  const [{ Module }, { NestFactory }] = await Promise.all([import('@nestjs/common'), import('@nestjs/core')]);
  const adapter =
    platform === 'fastify' ? new (await import('@nestjs/platform-fastify')).FastifyAdapter() : new (await import('@nestjs/platform-express')).ExpressAdapter();
  class AppModule {}
  Module({ controllers, imports })(AppModule);
  const app = await NestFactory.create(AppModule, adapter, { rawBody: true, logger: false });
  await app.listen(0, '127.0.0.1');
  app.getHttpServer().keepAliveTimeout = 30_000;
  return { port: app.getHttpServer().address().port, completed };
}

// A controller at BENCH_PATH whose POST handler is `answer(rawBody, headers)`; decorators applied as functions.
async function rawBodyController(answer) {
  const { Controller, Post, Req, Res } = await import('@nestjs/common');
  class BenchController {
    receive(req, res) {
      respond(res, answer(req.rawBody, req.headers));
    }
  }
  Controller(BENCH_PATH)(BenchController);
  const proto = BenchController.prototype;
  Post()(proto, 'receive', Object.getOwnPropertyDescriptor(proto, 'receive'));
  Req()(proto, 'receive', 0);
  Res()(proto, 'receive', 1);
  return BenchController;
}

await runAdapterBench({
  framework: `NestJS (${platform} platform, rawBody: true)`,
  adapter: 'TogetherWebhooksModule',
  benchFile: import.meta.url,
  autocannon: () => import('autocannon'),
  serve: {
    bare: async () => serveNest({ controllers: [await rawBodyController((body) => `{"ok":true,"bytes":${body.byteLength}}`)] }),
    floor: async () => serveNest({ controllers: [await rawBodyController(floorAnswer)] }),
    adapter: async () => {
      const { TogetherWebhooksModule } = await import('@x/together-webhooks-nestjs');
      const { webhooks, completed } = await benchReceiver();
      return serveNest({ imports: [TogetherWebhooksModule.forRoot({ webhooks, path: BENCH_PATH })] }, completed);
    },
  },
});
