import { DEV_SECRET, start } from './app.js';

const secret = process.env.TOGETHER_WEBHOOK_SECRET;
if (!secret) {
  console.warn(`TOGETHER_WEBHOOK_SECRET is not set: using the DEV-ONLY secret "${DEV_SECRET}". Never deploy with it.`);
}
const platform = process.env.NEST_PLATFORM === 'fastify' ? 'fastify' : 'express';
const { url } = await start({ port: Number(process.env.PORT ?? 3000), secret: secret ?? DEV_SECRET, platform });
console.log(`Together webhooks (NestJS, ${platform} platform): POST ${url}`);
