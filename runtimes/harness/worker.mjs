/**
 * @module worker — a Cloudflare Worker (module syntax) for workerd, bundled the way wrangler
 * bundles (conditions workerd, worker, browser). POST /webhook verifies a real delivery with
 * `verify(request)` and answers its outcome; POST /report runs the vectors and the
 * cross-runtime checks with the delivery Node sent as JSON.
 */
import * as core from '@x/together-webhooks-core';
import { conformanceReport } from './agreement.mjs';

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function webhook(request, env) {
  try {
    const event = await core.verify(request, { secret: env.WEBHOOK_SECRET });
    return json({ outcome: 'verified', id: event.id, type: event.type, cryptoBackend: core.cryptoBackend });
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
    if (request.method === 'POST' && pathname === '/webhook') return webhook(request, env);
    if (request.method === 'POST' && pathname === '/report') return json(await conformanceReport(core, await request.json()));
    if (pathname === '/health') return json({ ok: true, cryptoBackend: core.cryptoBackend });
    return json({ error: 'not found' }, 404);
  },
};
