/**
 * @module agreement — what every runtime runs: the known-answer vectors, plus both directions of
 * cross-runtime agreement in each scheme (a delivery signed here for Node to verify, and Node's
 * delivery verified here). Runtime-neutral, like run-vectors.mjs.
 */
import { describeRuntime, runVectors, schemeOptions } from '../conformance/run-vectors.mjs';

/** The secret both sides of the cross-runtime check share, by scheme (Standard Webhooks: `whsec_<base64>`). */
export const CROSS_SECRETS = {
  together: 'whsec_cross_runtime_agreement',
  'standard-webhooks': 'whsec_hd/QSL71r4xRzF2Z5gtqxGQkBu1seiF4qOjMXqCqItY=',
};

function fromBase64(base64) {
  const binary = globalThis.atob(base64);
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

async function verifyOutcome(core, schemeName, delivery) {
  try {
    const event = await core.verify(delivery, { secret: CROSS_SECRETS[schemeName], ...schemeOptions(core, schemeName) });
    return { ok: true, id: event.id, type: event.type, created: event.created, data: event.data };
  } catch (error) {
    return { ok: false, code: error instanceof core.WebhookVerificationError ? error.code : `${error?.name}: ${error?.message}` };
  }
}

/** A delivery signed here, in each scheme, for Node to verify. */
function signHere(core, runtime) {
  const created = new Date().toISOString();
  const data = { id: `batch-${runtime}`, status: 'COMPLETED', note: `signed in ${runtime} — ✓ 签名` };
  const stamp = Date.now();
  const together = JSON.stringify({ id: `evt_cross_${runtime}_${stamp}`, type: 'batch.completed', created, data });
  // Standard Webhooks: the id travels in webhook-id, the creation time as the payload's timestamp.
  const standard = JSON.stringify({ type: 'batch.completed', timestamp: created, data });
  return {
    together: { body: together, headers: core.sign(together, { secret: CROSS_SECRETS.together }) },
    'standard-webhooks': {
      body: standard,
      headers: core.sign(standard, { secret: CROSS_SECRETS['standard-webhooks'], scheme: core.standardWebhooksScheme(), id: `msg_cross_${runtime}_${stamp}` }),
    },
  };
}

/**
 * Runs the vectors, signs a delivery in each scheme for Node to verify, and verifies the
 * deliveries Node signed.
 *
 * @param core - the module as this runtime imported it
 * @param fromNode - by scheme, `{ bodyBase64, headers, tamperedBodyBase64 }` signed by Node; or undefined
 * @returns the vector report, `signed` (by scheme, `{ body, headers }`), and `verifiedFromNode` outcomes by scheme
 */
export async function conformanceReport(core, fromNode) {
  const report = await runVectors(core);
  const signed = signHere(core, describeRuntime().name);
  let verifiedFromNode;
  if (fromNode) {
    verifiedFromNode = {};
    for (const [schemeName, delivery] of Object.entries(fromNode)) {
      verifiedFromNode[schemeName] = {
        authentic: await verifyOutcome(core, schemeName, { body: fromBase64(delivery.bodyBase64), headers: delivery.headers }),
        tampered: await verifyOutcome(core, schemeName, { body: fromBase64(delivery.tamperedBodyBase64), headers: delivery.headers }),
      };
    }
  }
  return { ...report, signed, verifiedFromNode };
}
