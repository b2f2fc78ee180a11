// Hono adapter throughput on Node (spec section 9), measured as the Express bench is (bench/lib/adapter-bench.mjs):
// Hono on @hono/node-server with togetherWebhooks() and the memory store against the verify floor
// on the same stack (a Hono route that reads c.req.arrayBuffer(), checks the HMAC, parses the JSON
// and answers a small JSON body). Needs the builds: pnpm --filter @x/together-webhooks-hono... build
//
//   node packages/hono/bench/hono.bench.mjs [--duration 5] [--warmup 2] [--connections 10] [--rounds 5] [--ids unique|fixed] [--verbose] [--instructions]
import { once } from 'node:events';
import { BENCH_PATH, benchReceiver, floorAnswer, runAdapterBench } from '../../../bench/lib/adapter-bench.mjs';

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

async function serveHono(route, completed) {
  const [{ Hono }, { serve }] = await Promise.all([import('hono'), import('@hono/node-server')]);
  const app = new Hono();
  app.post(BENCH_PATH, route);
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  server.keepAliveTimeout = 30_000;
  await once(server, 'listening');
  return { port: server.address().port, completed };
}

await runAdapterBench({
  framework: 'Hono (@hono/node-server)',
  adapter: 'togetherWebhooks',
  benchFile: import.meta.url,
  autocannon: () => import('autocannon'),
  serve: {
    bare: () => serveHono(async (c) => c.body(`{"ok":true,"bytes":${(await c.req.arrayBuffer()).byteLength}}`, 200, JSON_TYPE)),
    floor: () => serveHono(async (c) => c.body(floorAnswer(new Uint8Array(await c.req.arrayBuffer()), c.req.raw.headers), 200, JSON_TYPE)),
    adapter: async () => {
      const { togetherWebhooks } = await import('@x/together-webhooks-hono');
      const { webhooks, completed } = await benchReceiver();
      return serveHono(togetherWebhooks(webhooks), completed);
    },
  },
});
