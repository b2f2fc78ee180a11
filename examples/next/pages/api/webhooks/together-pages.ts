import { createApiHandler } from '@x/together-webhooks-next';
import { webhooks } from '../../../lib/webhooks';

// POST /api/webhooks/together-pages (Pages Router). The body parser must be off: the signature
// covers the raw bytes, which the handler reads itself.
export const config = { api: { bodyParser: false } };

export default createApiHandler(webhooks);
