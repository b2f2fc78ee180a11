/**
 * @module diagnose — verifies a delivery with the core and, when it fails, finds the likely cause
 * by running the checks of `diagnosis/checks.ts` in order: the secrets, the headers, a body
 * changed after signing, a signature in the wrong form or over the wrong content, the clock.
 * Never reveals a secret or the expected signature: it only ever compares, and its messages are
 * built from indexes, counts and the delivery's own headers.
 */
import type { WebhookVerificationErrorCode } from '@x/together-webhooks-core';
import { checks } from './diagnosis/checks.js';
import { gatherFacts, type Facts } from './diagnosis/facts.js';
import type { Cause, DiagnoseInput, Diagnosis } from './diagnosis/types.js';

export type { BodyChange, Cause, DiagnoseInput, Diagnosis, SignatureFormat } from './diagnosis/types.js';

/** The check that failed, in plain words, for each code. */
function checkName(code: WebhookVerificationErrorCode | 'invalid_secret', { wire }: Facts): string {
  const names: Record<WebhookVerificationErrorCode | 'invalid_secret', string> = {
    invalid_secret: 'configuration: the secret',
    missing_signature: `headers: ${wire.headers.signature} present`,
    missing_timestamp: `headers: ${wire.headers.timestamp} present`,
    missing_id: `headers: ${wire.headers.id ?? 'the id'} present`,
    invalid_timestamp: `headers: ${wire.headers.timestamp} is Unix seconds`,
    payload_too_large: 'body size',
    signature_mismatch: 'signature',
    timestamp_too_old: 'replay window (too old)',
    timestamp_in_future: 'replay window (in the future)',
    invalid_payload: 'event envelope',
  };
  return names[code];
}

/** What the core answered: its rejection, or the configuration it refuses before checking anything. */
function verdict(facts: Facts): Pick<Diagnosis, 'code' | 'status' | 'check' | 'message'> {
  if (facts.padded.length > 0 || facts.refused.size > 0) {
    const what = facts.padded.length > 0 ? 'a secret with surrounding whitespace' : `a secret the ${facts.wire.label} scheme cannot use`;
    return { code: 'invalid_secret', check: checkName('invalid_secret', facts), message: `the SDK throws a TypeError for ${what}, before checking anything` };
  }
  const { rejection } = facts;
  if (rejection === undefined) return {};
  return { code: rejection.code, status: rejection.status, check: checkName(rejection.code, facts), message: rejection.message };
}

/**
 * Verifies a delivery exactly as a receiver configured with `secrets` (and `scheme`) would and,
 * when it fails, explains the likely cause.
 *
 * @param input - the body as received, its headers, and the receiver's scheme, secrets and clock
 * @returns the verdict; `ok` when the core accepts the delivery
 * @example
 * ```ts
 * const diagnosis = diagnose({ body, headers, secrets: [process.env.TOGETHER_WEBHOOK_SECRET!], scheme: 'standard' });
 * for (const cause of diagnosis.causes) console.log(cause.message);
 * ```
 */
export function diagnose(input: DiagnoseInput): Diagnosis {
  const facts = gatherFacts(input);
  const causes: Cause[] = [];
  for (const check of checks) {
    const finding = check.find(facts, causes);
    if (finding !== undefined) causes.push(...(Array.isArray(finding) ? (finding as readonly Cause[]) : [finding as Cause]));
  }
  const ok = facts.event !== undefined && facts.padded.length === 0 && facts.refused.size === 0;
  // The verdict first, the causes last: how `verify --json` reads best.
  return {
    ok,
    scheme: facts.wire.name,
    ...verdict(facts),
    ...(facts.event === undefined ? {} : { event: { id: facts.event.id, type: facts.event.type } }),
    ...(facts.matching < 0 ? {} : { secret: facts.matching }),
    ...(facts.timestamp === undefined ? {} : { ageSeconds: facts.nowSeconds - facts.timestamp }),
    causes,
  };
}
