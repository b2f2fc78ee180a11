import { once } from 'node:events';
import { serve } from '@hono/node-server';
import { DEV_SECRET, WEBHOOK_PATH, createApp } from './app.js';

const secret = process.env.TOGETHER_WEBHOOK_SECRET;
if (!secret) {
  console.warn(`TOGETHER_WEBHOOK_SECRET is not set: using the DEV-ONLY secret "${DEV_SECRET}". Never deploy with it.`);
}
const { app } = createApp({ secret: secret ?? DEV_SECRET });
const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' });
await once(server, 'listening');
console.log(`Together webhooks: POST http://127.0.0.1:${server.address().port}${WEBHOOK_PATH}`);
