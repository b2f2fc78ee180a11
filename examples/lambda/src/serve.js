// pnpm serve: the handler behind a local HTTP server on 127.0.0.1:$PORT that turns each request
// into an API Gateway HTTP API (2.0) event, as `sam local start-api` would, for trying it with curl.
import { once } from 'node:events';
import { createServer } from 'node:http';
import { httpApiEvent } from './events.js';
import { DEV_SECRET, handler } from './handler.js';

if (!process.env.TOGETHER_WEBHOOK_SECRET) {
  console.warn(`TOGETHER_WEBHOOK_SECRET is not set: using the DEV-ONLY secret "${DEV_SECRET}". Never deploy with it.`);
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : value]));
    handler(httpApiEvent({ body: Buffer.concat(chunks), headers, base64: true })).then(
      (result) => {
        res.writeHead(result.statusCode, result.headers);
        res.end(result.body);
      },
      (error) => {
        console.error(error);
        res.writeHead(502);
        res.end();
      },
    );
  });
});
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
await once(server, 'listening');
console.log(`Together webhooks (Lambda, HTTP API events): POST http://127.0.0.1:${server.address().port}/webhooks/together`);
