// Express adapter throughput (spec section 9), measured as every adapter is (bench/lib/adapter-bench.mjs):
// Express with togetherWebhooks and the memory store against the verify floor on Express (a bare
// route that reads the raw body, checks the HMAC, parses the JSON and answers a small JSON body).
// Needs the builds: pnpm --filter @x/together-webhooks-express... build
//
//   node packages/express/bench/express.bench.mjs [--duration 5] [--warmup 2] [--connections 10] [--rounds 5] [--ids unique|fixed] [--verbose] [--instructions]
import { once } from 'node:events';
import { createServer } from 'node:http';
import { BENCH_PATH, benchReceiver, floorAnswer, runAdapterBench } from '../../../bench/lib/adapter-bench.mjs';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/** An Express route that reads the raw body itself, then answers what `answer` makes of it. */
function rawRoute(answer) {
  return (req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const json = answer(Buffer.concat(chunks), req.headers);
      res.writeHead(200, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(json) });
      res.end(json);
    });
  };
}

async function listen(app, completed) {
  const server = createServer(app);
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: server.address().port, completed };
}

async function expressApp(route) {
  const { default: express } = await import('express');
  const app = express();
  app.post(BENCH_PATH, route);
  return app;
}

await runAdapterBench({
  framework: 'Express',
  adapter: 'togetherWebhooks',
  benchFile: import.meta.url,
  autocannon: () => import('autocannon'),
  serve: {
    bare: async () => listen(await expressApp(rawRoute((body) => `{"ok":true,"bytes":${body.byteLength}}`))),
    floor: async () => listen(await expressApp(rawRoute(floorAnswer))),
    adapter: async () => {
      const { togetherWebhooks } = await import('@x/together-webhooks-express');
      const { webhooks, completed } = await benchReceiver();
      return listen(await expressApp(togetherWebhooks(webhooks)), completed);
    },
  },
});
