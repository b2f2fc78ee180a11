// POST /webhooks/together: Nuxt (Nitro) takes the route from this file's name.
import { togetherWebhooks } from '@x/together-webhooks-h3';
import { webhooks } from '../../utils/webhooks.js';

export default togetherWebhooks(webhooks);
