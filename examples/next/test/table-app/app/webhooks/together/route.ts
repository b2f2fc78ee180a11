import { createRouteHandler } from '@x/together-webhooks-next';
import { webhooksAt } from '../../../lib/receivers';

export const runtime = 'nodejs';
export const POST = createRouteHandler(webhooksAt('/webhooks/together'));
