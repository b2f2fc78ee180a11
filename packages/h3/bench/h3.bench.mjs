// h3 adapter throughput (spec section 9), measured as the Express bench is (bench/lib/adapter-bench.mjs):
// one h3 major served through node:http (h3 1 through toNodeListener, as Nitro 2 serves it on
// Node; h3 2 through h3/node's toNodeHandler) with togetherWebhooks() and the memory store against
// the verify floor on the same major (a handler that reads the raw body the h3 way, readRawBody on
// h3 1 and event.req.arrayBuffer() on h3 2, checks the HMAC, parses the JSON and answers a small
// JSON body). The major is BENCH_H3_MAJOR (2, the default, or 1); run it once per major. Needs the
// builds: pnpm --filter @x/together-webhooks-h3... build
//
//   [BENCH_H3_MAJOR=1] node packages/h3/bench/h3.bench.mjs [--duration 5] [--warmup 2] [--connections 10] [--rounds 5] [--ids unique|fixed] [--verbose] [--instructions]
import { once } from 'node:events';
import { createServer } from 'node:http';
import { BENCH_PATH, benchReceiver, floorAnswer, runAdapterBench } from '../../../bench/lib/adapter-bench.mjs';

const major = process.env.BENCH_H3_MAJOR === '1' ? 1 : 2;
const JSON_TYPE = 'application/json; charset=utf-8';

// The raw body, the headers and the answer's content type, the way of each major.
const v1 = {
  readBytes: async (event) => (await import('h3-v1')).readRawBody(event, false),
  headers: (event) => event.node.req.headers,
  json: (event, text) => {
    event.node.res.setHeader('content-type', JSON_TYPE);
    return text;
  },
};
const v2 = {
  readBytes: async (event) => new Uint8Array(await event.req.arrayBuffer()),
  headers: (event) => event.req.headers,
  json: (event, text) => {
    event.res.headers.set('content-type', JSON_TYPE);
    return text;
  },
};
const way = major === 1 ? v1 : v2;

// Serves `handler` at POST BENCH_PATH on 127.0.0.1.
async function serveH3(handler, completed) {
  let listener;
  if (major === 1) {
    const h3 = await import('h3-v1');
    listener = h3.toNodeListener(h3.createApp().use(h3.createRouter().post(BENCH_PATH, h3.defineEventHandler(handler))));
  } else {
    const [{ H3 }, { toNodeHandler }] = await Promise.all([import('h3'), import('h3/node')]);
    listener = toNodeHandler(new H3().post(BENCH_PATH, handler));
  }
  const server = createServer(listener);
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: server.address().port, completed };
}

await runAdapterBench({
  framework: `h3 ${major}`,
  adapter: 'togetherWebhooks',
  benchFile: import.meta.url,
  autocannon: () => import('autocannon'),
  serve: {
    bare: () => serveH3(async (event) => way.json(event, `{"ok":true,"bytes":${(await way.readBytes(event)).byteLength}}`)),
    floor: () => serveH3(async (event) => way.json(event, floorAnswer(await way.readBytes(event), way.headers(event)))),
    adapter: async () => {
      const { togetherWebhooks } = await import('@x/together-webhooks-h3');
      const { webhooks, completed } = await benchReceiver();
      return serveH3(togetherWebhooks(webhooks), completed);
    },
  },
});
