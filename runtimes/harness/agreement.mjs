/**
 * @module agreement — what every runtime runs: the known-answer vectors, plus both directions of
 * cross-runtime agreement (a delivery signed here for Node to verify, and Node's delivery
 * verified here). Runtime-neutral, like run-vectors.mjs.
 */
import { describeRuntime, runVectors } from '../conformance/run-vectors.mjs';

/** The secret both sides of the cross-runtime check share. */
export const CROSS_SECRET = 'whsec_cross_runtime_agreement';

function fromBase64(base64) {
  const binary = globalThis.atob(base64);
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

async function verifyOutcome(core, delivery) {
  try {
    const event = await core.verify(delivery, { secret: CROSS_SECRET });
    return { ok: true, id: event.id, type: event.type, data: event.data };
  } catch (error) {
    return { ok: false, code: error instanceof core.WebhookVerificationError ? error.code : `${error?.name}: ${error?.message}` };
  }
}

/**
 * Runs the vectors, signs a delivery for Node to verify, and verifies the deliveries Node signed.
 *
 * @param core - the module as this runtime imported it
 * @param fromNode - `{ bodyBase64, headers, tamperedBodyBase64 }` signed by Node, or undefined
 * @returns the vector report, `signed` (`{ body, headers }`), and `fromNode` outcomes
 */
export async function conformanceReport(core, fromNode) {
  const report = await runVectors(core);
  const runtime = describeRuntime().name;
  const body = JSON.stringify({
    id: `evt_cross_${runtime}_${Date.now()}`,
    type: 'batch.completed',
    created: new Date().toISOString(),
    data: { id: `batch-${runtime}`, status: 'COMPLETED', note: `signed in ${runtime} — ✓ 签名` },
  });
  const signed = { body, headers: core.sign(body, { secret: CROSS_SECRET }) };
  let verifiedFromNode;
  if (fromNode) {
    verifiedFromNode = {
      authentic: await verifyOutcome(core, { body: fromBase64(fromNode.bodyBase64), headers: fromNode.headers }),
      tampered: await verifyOutcome(core, { body: fromBase64(fromNode.tamperedBodyBase64), headers: fromNode.headers }),
    };
  }
  return { ...report, signed, verifiedFromNode };
}
