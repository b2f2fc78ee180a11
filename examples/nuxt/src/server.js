/**
 * Serves the Nuxt server route without Nuxt: an h3 1 app (the h3 of Nuxt 3 and Nitro 2) that mounts
 * server/routes/webhooks/together.post.js at the path Nitro gives it, through toNodeListener, as
 * Nitro's node-server preset does. In a Nuxt app, `nuxi dev` or the built `.output/server` does this.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createApp, createRouter, toNodeListener } from 'h3';
import route from '../server/routes/webhooks/together.post.js';
import { DEV_SECRET } from '../server/utils/webhooks.js';

if (!process.env.TOGETHER_WEBHOOK_SECRET) {
  console.warn(`TOGETHER_WEBHOOK_SECRET is not set: using the DEV-ONLY secret "${DEV_SECRET}". Never deploy with it.`);
}
const app = createApp();
app.use(createRouter().post('/webhooks/together', route));
const server = createServer(toNodeListener(app));
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
await once(server, 'listening');
const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
console.log(`Together webhooks (h3 1, the Nuxt route file): POST http://127.0.0.1:${port}/webhooks/together`);
