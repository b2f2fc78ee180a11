import { createApiHandler } from '@x/together-webhooks-next';
import { webhooksAt } from '../../lib/receivers';

// The body parser is left on here, on purpose: the table's "a body parser ran first" case.
export default createApiHandler(webhooksAt('/webhooks/parsed'));
