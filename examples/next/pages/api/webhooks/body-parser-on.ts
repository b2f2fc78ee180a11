import { createApiHandler } from '@x/together-webhooks-next';
import { webhooks } from '../../../lib/webhooks';

// DELIBERATELY MISCONFIGURED, to show the error: this route leaves Next.js's body parser on, so
// every delivery is answered 500 and the server log says to add
// `export const config = { api: { bodyParser: false } }`, as together-pages.ts does.
export default createApiHandler(webhooks);
