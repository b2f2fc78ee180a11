import { createRouteHandler } from '@x/together-webhooks-next';
import { webhooks } from '../../../../lib/webhooks';

// POST /api/webhooks/together-edge, in the edge runtime: the same handler, nothing else changes.
export const runtime = 'edge';

export const POST = createRouteHandler(webhooks);
