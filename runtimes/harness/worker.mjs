/**
 * @module worker — a Cloudflare Worker (module syntax) for workerd, bundled the way wrangler
 * bundles (conditions workerd, worker, browser). POST /webhook verifies a real delivery in the
 * default scheme with `verify(request)` and answers its outcome, POST /webhook/standard-webhooks
 * one in the Standard Webhooks scheme; POST /report runs the vectors and the cross-runtime checks
 * with the deliveries Node sent as JSON.
 */
import * as core from '@x/together-webhooks-core';
import { conformanceReport } from './agreement.mjs';

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function webhook(request, options) {
  try {
    const event = await core.verify(request, options);
    return json({ outcome: 'verified', id: event.id, type: event.type, created: event.created, cryptoBackend: core.cryptoBackend });
  } catch (error) {
    if (error instanceof core.WebhookVerificationError) {
      return json({ outcome: 'rejected', code: error.code, cryptoBackend: core.cryptoBackend }, error.status);
    }
    throw error;
  }
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (request.method === 'POST' && pathname === '/webhook') return webhook(request, { secret: env.WEBHOOK_SECRET });
    if (request.method === 'POST' && pathname === '/webhook/standard-webhooks') {
      return webhook(request, { secret: env.STANDARD_WEBHOOKS_SECRET, scheme: core.standardWebhooksScheme() });
    }
    if (request.method === 'POST' && pathname === '/report') return json(await conformanceReport(core, await request.json()));
    if (pathname === '/health') return json({ ok: true, cryptoBackend: core.cryptoBackend });
    return json({ error: 'not found' }, 404);
  },
};
