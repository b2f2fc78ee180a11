import { createRouteHandler } from '@x/together-webhooks-next';
import { webhooks } from '../../../../lib/webhooks';

// POST /api/webhooks/together, in the Node.js runtime.
export const runtime = 'nodejs';

export const POST = createRouteHandler(webhooks);
