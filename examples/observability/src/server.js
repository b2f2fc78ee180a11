// pnpm --filter @x/example-observability start: the SDK first, then the app.
import './tracing.js';
import { DEV_SECRET, start } from './app.js';

const secret = process.env.TOGETHER_WEBHOOK_SECRET;
if (!secret) {
  console.warn(`TOGETHER_WEBHOOK_SECRET is not set: using the DEV-ONLY secret "${DEV_SECRET}". Never deploy with it.`);
}
const { url } = await start({ port: Number(process.env.PORT ?? 3000), secret: secret ?? DEV_SECRET });
console.log(`Together webhooks: POST ${url}`);
console.log('Send a signed test delivery with: pnpm --filter @x/example-observability send');
